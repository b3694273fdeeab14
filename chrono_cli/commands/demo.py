"""`chrono demo`: a replayed market and its live table in one terminal, with no network."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from chrono_cli.exit_codes import ExitCode, fail
from chrono_cli.options import MAX_PORT, StopAfterCount, StopAfterDuration

if TYPE_CHECKING:
    from chrono_cli.commands.tail.live import TableSink
    from chrono_sim.datafiles.tape import Tape
    from chrono_sim.protocol.clock import SystemClock
    from chrono_sim.server import ChronoServer

SAMPLE = "sample.jsonl.gz"  # in chrono_sim/data: made by `chrono generate`, see its README
EPILOG = (
    "Exit codes: 0 done (--count/--duration reached, or Ctrl-C); 2 bad command line; "
    "3 the bundled sample is missing or unreadable (a broken install); 4 cannot listen "
    "on --port."
)


def demo(
    speed: Annotated[
        float,
        typer.Option(min=0.001, metavar="N", help="Replay speed; 1 is the recorded pace."),
    ] = 1.0,
    port: Annotated[
        int,
        typer.Option(
            min=0,
            max=MAX_PORT,
            metavar="PORT",
            help="Port to serve on, for other clients too (0: any free one).",
        ),
    ] = 0,
    count: StopAfterCount = None,
    duration: StopAfterDuration = None,
) -> None:
    """Serve the bundled sample market on localhost and watch it live; Ctrl-C stops both.

    In a pipe the updates come out as JSON lines instead of a table.
    """
    import asyncio

    from chrono_sim.errors import ConfigError

    try:
        tape = _sample()
    except ConfigError as exc:  # a broken install: say so in one line
        fail("demo", ExitCode.CONFIG, str(exc))
    try:
        code = asyncio.run(_demo(tape, speed, port, count, duration))
    except OSError as exc:
        from chrono_sim.failures import cannot_listen, describe_os_error

        reason = describe_os_error(exc)
        fail("demo", ExitCode.UNAVAILABLE, cannot_listen(f"localhost:{port}", reason))
    raise typer.Exit(code)


def _sample() -> Tape:
    from importlib.resources import as_file, files

    from chrono_sim.datafiles import read_tape

    with as_file(files("chrono_sim") / "data" / SAMPLE) as path:
        return read_tape(path).tape


async def _demo(
    tape: Tape, speed: float, port: int, count: int | None, duration: float | None
) -> ExitCode:
    from chrono_cli.commands.tail.json_sink import JsonLinesSink
    from chrono_cli.feed_run import run_feed
    from chrono_sim.client import FeedClient
    from chrono_sim.protocol.clock import SystemClock
    from chrono_sim.protocol.keys import DEV_KEY
    from chrono_sim.protocol.limits import ProtocolLimits
    from chrono_sim.server import ChronoServer
    from chrono_sim.server.config import ServerConfig
    from chrono_sim.sources import ReplaySource

    clock = SystemClock()
    source = ReplaySource(tape, clock=clock, speed=speed, loop=True)
    symbols = source.catalog.symbols
    config = ServerConfig(
        host="localhost",
        port=port,
        catalog=source.catalog,
        limits=ProtocolLimits(max_symbols=len(symbols)),  # one table shows the whole market
    )
    async with ChronoServer(config, source=source, clock=clock) as server:
        url = f"ws://127.0.0.1:{server.port}/stream"
        client = FeedClient(url, api_key=DEV_KEY, symbols=symbols, snapshot=True, clock=clock)
        if sys.stdout.isatty():
            sink: TableSink | JsonLinesSink = _table(server, clock, symbols, speed)
        else:
            sink = JsonLinesSink(command="demo")
        return await run_feed(client, sink, command="demo", count=count, duration=duration)


def _table(
    server: ChronoServer, clock: SystemClock, symbols: tuple[str, ...], speed: float
) -> TableSink:
    from chrono_cli.commands.tail.live import TableSink
    from chrono_cli.commands.tail.state import TailState

    pace = "recorded pace" if speed == 1 else f"{speed:g}x"
    title = f"chrono demo: sample market at {pace}, ws://localhost:{server.port}/stream"
    return TableSink(TailState(symbols), clock, title=title, command="demo")
