"""`chrono tail`: watch a Chrono feed in a terminal (live table) or a pipe (JSON lines)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from chrono_cli.exit_codes import ExitCode, fail
from chrono_cli.options import (
    DEFAULT_URL,
    DEV_KEY,
    ApiKey,
    StopAfterCount,
    StopAfterDuration,
    Url,
)

if TYPE_CHECKING:
    from chrono_cli.tail_json import JsonLinesSink
    from chrono_cli.tail_live import TableSink

MAX_SYMBOLS = 10

EPILOG = (
    "Exit codes: 0 done (--count/--duration reached, or Ctrl-C); 2 bad command line; "
    "4 server unreachable within --duration; 5 API key refused (4401); "
    "6 request refused (unknown symbol, too many symbols)."
)


def tail(
    symbols: Annotated[list[str], typer.Argument(help="1 to 10 symbols, e.g. BTC/USD ETH/USD.")],
    url: Url = DEFAULT_URL,
    api_key: ApiKey = DEV_KEY,
    json_lines: Annotated[
        bool, typer.Option("--json", help="JSON lines on stdout (the default in a pipe).")
    ] = False,
    count: StopAfterCount = None,
    duration: StopAfterDuration = None,
    snapshot: Annotated[
        bool, typer.Option(help="Ask for each symbol's last price on subscribe.")
    ] = False,
) -> None:
    """Stream prices of SYMBOLS: a live table in a terminal, JSON lines in a pipe.

    Reconnects with backoff and resubscribes by itself; missed updates are counted from seq.
    """
    if len(symbols) > MAX_SYMBOLS:
        raise typer.BadParameter(f"at most {MAX_SYMBOLS} symbols, got {len(symbols)}")
    import asyncio

    from chrono_sim.errors import InvalidUrlError

    as_json = json_lines or not sys.stdout.isatty()
    try:
        code = asyncio.run(_tail(url, api_key, tuple(symbols), as_json, count, duration, snapshot))
    except InvalidUrlError as exc:
        fail("tail", ExitCode.USAGE, str(exc))
    raise typer.Exit(code)


async def _tail(
    url: str,
    api_key: str,
    symbols: tuple[str, ...],
    as_json: bool,
    count: int | None,
    duration: float | None,
    snapshot: bool,
) -> ExitCode:
    from chrono_cli.feed_run import run_feed
    from chrono_cli.tail_json import JsonLinesSink
    from chrono_sim.client import FeedClient
    from chrono_sim.clock import SystemClock

    clock = SystemClock()
    client = FeedClient(url, api_key=api_key, symbols=symbols, snapshot=snapshot, clock=clock)
    sink: JsonLinesSink | TableSink
    if as_json:
        sink = JsonLinesSink()
    else:  # Rich is imported only for people watching a terminal: pipes start faster
        from chrono_cli.tail_live import TableSink
        from chrono_cli.tail_state import TailState

        sink = TableSink(TailState(symbols), clock, title=url)
    return await run_feed(client, sink, command="tail", count=count, duration=duration)
