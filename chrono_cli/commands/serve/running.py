"""Running `chrono serve`'s server: the "listening" line, then until a signal, a clean stop."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chrono_cli.commands.serve.replay import Announcement
    from chrono_sim.protocol.clock import Clock
    from chrono_sim.server.config import ServerConfig
    from chrono_sim.sources import PriceSource


async def run_server(
    config: ServerConfig,
    clock: Clock,
    source: PriceSource | None,
    replay: Path | None,
    announcements: Sequence[Announcement],
) -> None:
    """Serve until SIGINT or SIGTERM, logging the listening line, then `announcements`."""
    import asyncio
    import signal

    from chrono_sim.server import ChronoServer
    from chrono_sim.server.logs import format_peer

    log = logging.getLogger("chrono_sim.server")
    # Handlers go in before the "listening" line: a signal right after it must still
    # shut down cleanly (exit 0), not hit Python's default handling.
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    server = ChronoServer(config, source=source, clock=clock)
    await server.start()
    addresses = ", ".join(format_peer(sock.getsockname()) for sock in server.sockets)
    display_host = config.host if ":" not in config.host else f"[{config.host}]"
    market = f"seed {config.seed}" if replay is None else f"from {replay}"
    secure = "s" if config.tls else ""
    log.info(
        "listening on ws%s://%s:%d/stream (%s); docs at http%s://%s:%d/docs; %d symbols, %s",
        secure,
        display_host,
        server.port,
        addresses,
        secure,
        display_host,
        server.port,
        len(config.catalog),
        market,
        extra={"event": "server.listening", "port": server.port, "seed": config.seed},
    )
    for level, message in announcements:
        log.log(level, "%s", message)
    await stop.wait()
    open_connections = server.open_connections
    log.info(
        "shutting down: closing %d connection(s) with 1001",
        open_connections,
        extra={"event": "server.stopping", "connections": open_connections},
    )
    server.close()
    await server.wait_closed()
    log.info("stopped", extra={"event": "server.stopped"})
