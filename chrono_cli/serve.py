"""`chrono serve`: the `/stream` server on the synthetic market."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from chrono_cli.exit_codes import ExitCode

if TYPE_CHECKING:
    from chrono_sim.config import ServerConfig


def serve(
    host: Annotated[
        str, typer.Option(help="Address to bind; 'localhost' binds both 127.0.0.1 and ::1.")
    ] = "localhost",
    port: Annotated[int, typer.Option(help="TCP port (0 picks a free one).")] = 3000,
    interval: Annotated[
        float, typer.Option(help="Mean seconds between two updates of one symbol.")
    ] = 4.0,
    heartbeat_interval: Annotated[
        float, typer.Option(help="Seconds between automatic heartbeat pongs.")
    ] = 30.0,
    idle_timeout: Annotated[
        float, typer.Option(help="Close a connection idle this many seconds (code 4408).")
    ] = 300.0,
    seed: Annotated[
        int | None, typer.Option(help="Seed of the price generator (default: random, logged).")
    ] = None,
    keys: Annotated[
        Path | None, typer.Option(help="API keys file (TOML, [[key]] tables).", metavar="FILE")
    ] = None,
    max_connections: Annotated[
        int, typer.Option(help="Open WebSocket connections, all keys together; past it HTTP 503.")
    ] = 50_000,
    ip_connect_rate: Annotated[
        int | None,
        typer.Option(help="Connection attempts per minute per client address; past it HTTP 429."),
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log every connection.")] = False,
) -> None:
    """Serve ws://HOST:PORT/stream with synthetic prices until Ctrl-C or SIGTERM."""
    import asyncio
    import logging
    import secrets

    from chrono_sim.config import ProtocolLimits, ServerConfig
    from chrono_sim.errors import ConfigError
    from chrono_sim.keys import KeyStore, load_keys

    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(message)s",
        stream=sys.stderr,
    )
    # websockets' own INFO lines duplicate ours; its warnings still show.
    logging.getLogger("websockets").setLevel(logging.WARNING)
    try:
        config = ServerConfig(
            host=host,
            port=port,
            interval=interval,
            seed=seed if seed is not None else secrets.randbelow(2**31),
            keys=load_keys(keys) if keys else KeyStore.development(),
            limits=ProtocolLimits(heartbeat_interval=heartbeat_interval, idle_timeout=idle_timeout),
            max_connections=max_connections,
            ip_connect_rate=ip_connect_rate,
        )
    except ConfigError as exc:
        _fail(ExitCode.CONFIG, str(exc))
    try:
        asyncio.run(_run(config))
    except OSError as exc:
        reason = os.strerror(exc.errno) if exc.errno else str(exc)
        _fail(ExitCode.UNAVAILABLE, f"cannot listen on {host}:{port}: {reason}")


async def _run(config: ServerConfig) -> None:
    import asyncio
    import logging
    import signal

    from chrono_sim.server import ChronoServer

    log = logging.getLogger("chrono_sim.server")
    # Handlers go in before the "listening" line: a signal right after it must still
    # shut down cleanly (exit 0), not hit Python's default handling.
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    server = ChronoServer(config)
    await server.start()
    addresses = ", ".join(_format_address(sock.getsockname()) for sock in server.sockets)
    display_host = config.host if ":" not in config.host else f"[{config.host}]"
    log.info(
        "listening on ws://%s:%d/stream (%s); docs at http://%s:%d/docs; %d symbols, seed %d",
        display_host,
        server.port,
        addresses,
        display_host,
        server.port,
        len(config.catalog),
        config.seed,
    )
    await stop.wait()
    log.info("shutting down: closing %d connection(s) with 1001", server.open_connections)
    server.close()
    await server.wait_closed()
    log.info("stopped")


def _format_address(sockname: tuple[object, ...]) -> str:
    host, port = sockname[0], sockname[1]
    return f"[{host}]:{port}" if ":" in str(host) else f"{host}:{port}"


def _fail(code: ExitCode, message: str) -> None:
    print(f"chrono serve: error: {message}", file=sys.stderr)
    raise typer.Exit(code)
