"""`chrono record`: capture a feed from any Chrono server, in the format replay reads."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from chrono_cli.exit_codes import ExitCode
from chrono_cli.options import DURATION_METAVAR
from chrono_cli.options import duration as duration_option
from chrono_cli.tail import DEFAULT_URL, DEV_KEY

if TYPE_CHECKING:
    from types import TracebackType

    from chrono_sim.client import FeedEvent
    from chrono_sim.datafiles import UpdateWriter

EPILOG = (
    "Formats by extension: .jsonl/.ndjson or .csv, either optionally .gz. Ctrl-C or SIGTERM "
    "stops cleanly and leaves a complete file. Exit codes: 0 done; 2 bad command line; "
    "3 file not writable; 4 server unreachable; 5 API key refused; 6 request refused."
)
FLUSH_EVERY = 1.0  # seconds: what a crash (not Ctrl-C, which closes cleanly) could lose


def record(
    symbols: Annotated[list[str], typer.Argument(help="Symbols to capture, e.g. BTC/USD ETH/USD.")],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="File to write; format from its extension.")
    ],
    url: Annotated[str, typer.Option(help="Server WebSocket URL.")] = DEFAULT_URL,
    api_key: Annotated[
        str, typer.Option(envvar="CHRONO_API_KEY", help="API key (env CHRONO_API_KEY).")
    ] = DEV_KEY,
    count: Annotated[int | None, typer.Option(min=1, help="Stop after N price updates.")] = None,
    duration: Annotated[
        float | None,
        typer.Option(
            parser=duration_option, metavar=DURATION_METAVAR, help="Stop after this long."
        ),
    ] = None,
) -> None:
    """Record the price updates of SYMBOLS to a file until --count, --duration or Ctrl-C.

    Reconnects with backoff like tail; updates missed meanwhile are counted from seq.
    """
    import asyncio

    from chrono_sim.datafiles import open_writer
    from chrono_sim.errors import ConfigError, InvalidUrlError

    try:
        writer = open_writer(output)
    except ConfigError as exc:
        _fail(ExitCode.CONFIG, str(exc))
    began = time.monotonic()
    sink = FileSink(writer)
    try:
        code = asyncio.run(_record(url, api_key, tuple(symbols), sink, count, duration))
    except InvalidUrlError as exc:
        _fail(ExitCode.USAGE, str(exc))
    finally:
        writer.close()
    elapsed = time.monotonic() - began
    missed = f", {sink.missed:,} missed (per seq)" if sink.missed else ""
    print(
        f"chrono record: {writer.written:,} updates of {len(sink.symbols)} symbols "
        f"in {elapsed:.1f} s to {output}{missed}",
        file=sys.stderr,
    )
    raise typer.Exit(code)


async def _record(
    url: str,
    api_key: str,
    symbols: tuple[str, ...],
    sink: FileSink,
    count: int | None,
    duration: float | None,
) -> ExitCode:
    from chrono_cli.feed_run import run_feed
    from chrono_sim.client import FeedClient

    client = FeedClient(url, api_key=api_key, symbols=symbols)
    return await run_feed(client, sink, command="record", count=count, duration=duration)


class FileSink:
    """Writes each update as received; status lines go to stderr."""

    def __init__(self, writer: UpdateWriter) -> None:
        self._writer = writer
        self._flushed_at = time.monotonic()
        self.symbols: set[str] = set()
        self.missed = 0

    def __enter__(self) -> FileSink:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._writer.flush()

    def handle(self, event: FeedEvent) -> None:
        from chrono_cli.tail_json import describe
        from chrono_sim.client import Price

        if isinstance(event, Price):
            self._writer.write_update(event.update)
            self.symbols.add(event.update.symbol)
            self.missed += event.missed
            now = time.monotonic()
            if now - self._flushed_at >= FLUSH_EVERY:
                self._writer.flush()
                self._flushed_at = now
        elif (line := describe(event)) is not None:
            print(f"chrono record: {line}", file=sys.stderr, flush=True)


def _fail(code: ExitCode, message: str) -> None:
    print(f"chrono record: error: {message}", file=sys.stderr)
    raise typer.Exit(code)
