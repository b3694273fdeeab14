"""Renders `/docs`: the protocol page, filled in with the limits this server runs with."""

from __future__ import annotations

import html
import re
from functools import cache
from importlib.resources import files

from chrono_sim.server.config import ServerConfig
from chrono_sim.version import __version__

_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")


@cache
def _template() -> str:
    return files("chrono_sim.server").joinpath("docs.html").read_text(encoding="utf-8")


def render_docs(config: ServerConfig, host: str) -> str:
    """The `/docs` page; `host` is the request's Host header, used in the examples."""
    limits = config.limits
    default_key = next(iter(config.keys), None)
    values = {
        "version": __version__,
        "ws_url": f"{'wss' if config.tls else 'ws'}://{host}/stream",
        "heartbeat": f"{limits.heartbeat_interval:g}",
        "idle_timeout": f"{limits.idle_timeout:g}",
        "max_message": f"{limits.max_message_bytes:,}",
        "max_symbols": str(limits.max_symbols),
        "reply_backlog": f"{limits.reply_backlog_bytes:,}",
        "max_key_connections": str(default_key.max_connections if default_key else "-")
        + (" (per key, see the keys file)" if len(config.keys) > 1 else ""),
        "rate_limit": str(default_key.rate_limit_per_minute if default_key else "-"),
        "ping_interval": f"{config.ping_interval:g}",
        "ping_timeout": f"{config.ping_timeout:g}",
        "handshake_timeout": f"{config.handshake_timeout:g}",
        "close_timeout": f"{config.close_timeout:g}",
        "max_pings": f"{config.max_pings_per_minute:,}",
        "stall_timeout": f"{config.stall_timeout:g}",
        "max_connections": f"{config.max_connections:,}",
        "ip_connect_rate": f"{config.ip_connect_rate} per minute"
        if config.ip_connect_rate
        else "off",
        "symbol_rows": "\n".join(
            f"<tr><td><code>{html.escape(spec.symbol)}</code></td>"
            f"<td>{spec.reference_price:,.{spec.decimals}f}</td>"
            f"<td>{html.escape(', '.join(spec.exchanges))}</td></tr>"
            for spec in config.catalog
        ),
    }
    # symbol_rows is markup built above from escaped parts; every other value is plain text.
    escaped = {
        name: value if name == "symbol_rows" else html.escape(value)
        for name, value in values.items()
    }
    return _PLACEHOLDER.sub(lambda match: escaped[match.group(1)], _template())
