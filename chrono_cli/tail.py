"""`chrono tail`: watch a Chrono feed in a terminal (live table) or a pipe (JSON lines)."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from chrono_cli.exit_codes import ExitCode

if TYPE_CHECKING:
    from chrono_cli.tail_json import JsonLinesSink
    from chrono_cli.tail_live import TableSink
    from chrono_sim.client import FeedClient
    from chrono_sim.errors import RequestRefusedError

DEFAULT_URL = "ws://localhost:3000/stream"
DEV_KEY = "chrono_public_dev_key_001"  # chrono_sim.keys.DEV_KEY, not imported for start-up speed
MAX_SYMBOLS = 10

EPILOG = (
    "Exit codes: 0 done (--count/--duration reached, or Ctrl-C); 2 bad command line; "
    "4 server unreachable within --duration; 5 API key refused (4401); "
    "6 request refused (unknown symbol, too many symbols)."
)


def tail(
    symbols: Annotated[list[str], typer.Argument(help="1 to 10 symbols, e.g. BTC/USD ETH/USD.")],
    url: Annotated[str, typer.Option(help="Server WebSocket URL.")] = DEFAULT_URL,
    api_key: Annotated[
        str, typer.Option(envvar="CHRONO_API_KEY", help="API key (env CHRONO_API_KEY).")
    ] = DEV_KEY,
    json_lines: Annotated[
        bool, typer.Option("--json", help="JSON lines on stdout (the default in a pipe).")
    ] = False,
    count: Annotated[int | None, typer.Option(min=1, help="Exit after N price updates.")] = None,
    duration: Annotated[
        float | None, typer.Option(min=0.0, help="Exit after this many seconds.")
    ] = None,
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
        _fail(ExitCode.USAGE, str(exc))
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
    import asyncio
    import signal

    from chrono_cli.tail_json import JsonLinesSink
    from chrono_sim.client import FeedClient
    from chrono_sim.clock import SystemClock
    from chrono_sim.errors import AuthenticationError, RequestRefusedError

    clock = SystemClock()
    client = FeedClient(url, api_key=api_key, symbols=symbols, snapshot=snapshot, clock=clock)
    sink: JsonLinesSink | TableSink
    if as_json:
        sink = JsonLinesSink()
    else:  # Rich is imported only for people watching a terminal: pipes start faster
        from chrono_cli.tail_live import TableSink
        from chrono_cli.tail_state import TailState

        sink = TableSink(TailState(symbols), clock, title=url)
    progress = _Progress()
    consumer = asyncio.create_task(_consume(client, sink, count, progress))
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, consumer.cancel)
    try:
        with sink:
            async with asyncio.timeout(duration):
                await consumer
    except (asyncio.CancelledError, TimeoutError):
        # Ctrl-C or --duration: the normal ways to stop, unless no connection ever worked.
        if not progress.connected:
            return _error(ExitCode.UNAVAILABLE, f"could not connect to {url}: {progress.reason}")
    except AuthenticationError as exc:
        return _error(ExitCode.UNAUTHORIZED, f"API key refused: {exc}")
    except RequestRefusedError as exc:
        return _error(ExitCode.REFUSED, await _explain_refusal(url, exc))
    except BrokenPipeError:
        _silence_stdout()  # the reader went away (e.g. `| head`): nothing left to do
    finally:
        await client.aclose()
    return ExitCode.OK


class _Progress:
    """What the run got to, for choosing the exit code when it is stopped."""

    connected = False
    reason = "no attempt finished"


async def _consume(
    client: FeedClient, sink: JsonLinesSink | TableSink, count: int | None, progress: _Progress
) -> None:
    from chrono_sim.client import Connected, Disconnected, Price

    received = 0
    async for event in client.events():
        sink.handle(event)
        if isinstance(event, Connected):
            progress.connected = True
        elif isinstance(event, Disconnected):
            progress.reason = event.reason
        elif isinstance(event, Price):
            received += 1
            if count is not None and received >= count:
                return


async def _explain_refusal(url: str, exc: RequestRefusedError) -> str:
    """The refusal as one line, with the closest offered symbol for each unknown one."""
    import asyncio

    from chrono_sim.client.symbols import SymbolsUnavailableError, fetch_symbols, suggest
    from chrono_sim.messages import ErrorCode

    if exc.code != ErrorCode.UNKNOWN_SYMBOL or not exc.symbols:
        return str(exc)
    try:
        offered = [
            entry["symbol"] for entry in await asyncio.to_thread(fetch_symbols, url, timeout=2.0)
        ]
    except SymbolsUnavailableError:
        offered = []
    parts = []
    for name in exc.symbols:
        hint = suggest(name, offered)
        parts.append(f"{name} (did you mean {hint}?)" if hint else name)
    return f"unknown symbol{'s' if len(parts) > 1 else ''}: {', '.join(parts)}"


def _error(code: ExitCode, message: str) -> ExitCode:
    print(f"chrono tail: error: {message}", file=sys.stderr, flush=True)
    return code


def _fail(code: ExitCode, message: str) -> None:
    raise typer.Exit(_error(code, message))


def _silence_stdout() -> None:
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
