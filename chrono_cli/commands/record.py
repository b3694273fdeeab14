"""`chrono record`: capture a feed from any Chrono server, in the format replay reads."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from chrono_cli.exit_codes import ExitCode, fail, report
from chrono_cli.feed_run import RETRIES
from chrono_cli.messages import count as count_of
from chrono_cli.options import (
    DEFAULT_URL,
    DEV_KEY,
    ApiKey,
    CaFile,
    StopAfterCount,
    StopAfterDuration,
    Url,
)

if TYPE_CHECKING:
    from types import TracebackType

    from chrono_sim.client import FeedClient, FeedEvent
    from chrono_sim.datafiles import UpdateWriter

EPILOG = (
    "Formats by extension: .jsonl/.ndjson or .csv, either optionally .gz. Ctrl-C or SIGTERM "
    "stops cleanly and leaves a complete file. Exit codes: 0 done; 2 bad command line; "
    "3 file not writable or unusable --cafile; 4 server unreachable (or its TLS certificate "
    "not trusted); 5 API key refused; 6 request refused."
    " " + RETRIES
)
FLUSH_EVERY = 1.0  # seconds: what a crash (not Ctrl-C, which closes cleanly) could lose


def record(
    symbols: Annotated[
        list[str],
        typer.Argument(metavar="SYMBOL", help="Symbols to capture, e.g. BTC/USD ETH/USD."),
    ],
    output: Annotated[
        Path,
        typer.Option(
            "--output", "-o", metavar="FILE", help="File to write; format from its extension."
        ),
    ],
    url: Url = DEFAULT_URL,
    api_key: ApiKey = DEV_KEY,
    count: StopAfterCount = None,
    duration: StopAfterDuration = None,
    cafile: CaFile = None,
) -> None:
    """Record the price updates of SYMBOLS to a file until --count, --duration or Ctrl-C.

    Reconnects with backoff like tail; updates missed meanwhile are counted from seq.
    """
    import asyncio

    from chrono_sim.client import FeedClient
    from chrono_sim.client.tls import client_tls_context
    from chrono_sim.datafiles import file_format
    from chrono_sim.errors import ConfigError, InvalidUrlError

    began = time.monotonic()
    try:
        file_format(output)  # an unknown extension or directory is refused before connecting
        _check_can_create(output)
        client = FeedClient(
            url, api_key=api_key, symbols=symbols, ssl=client_tls_context(url, cafile)
        )
    except InvalidUrlError as exc:
        fail("record", ExitCode.USAGE, str(exc))
    except ConfigError as exc:
        fail("record", ExitCode.CONFIG, str(exc))
    sink = FileSink(output)
    try:
        try:
            code = asyncio.run(_record(client, sink, count, duration))
        finally:
            sink.close()
    except ConfigError as exc:  # the file cannot be created or written (disk full, ...)
        # Still say what the file holds: the whole lines written before the error.
        code = report("record", ExitCode.CONFIG, str(exc))
    elapsed = time.monotonic() - began
    missed = f", {sink.missed:,} missed (per seq)" if sink.missed else ""
    where = f"to {output}" if sink.created else f"({output} not created)"
    print(
        f"chrono record: {count_of(sink.written, 'update')} of "
        f"{count_of(len(sink.symbols), 'symbol')} "
        f"in {elapsed:.1f} s {where}{missed}",
        file=sys.stderr,
    )
    raise typer.Exit(code)


def _check_can_create(output: Path) -> None:
    """Refuse an output whose directory is missing or not writable, before connecting."""
    import errno
    import os
    import stat

    from chrono_sim.errors import DataFileError
    from chrono_sim.failures import describe_os_error

    parent = output.parent
    problem: OSError | None = None
    try:
        mode = os.stat(parent).st_mode
    except OSError as exc:
        problem = exc
    else:
        if not stat.S_ISDIR(mode):
            problem = OSError(errno.ENOTDIR, os.strerror(errno.ENOTDIR))
        elif not os.access(parent, os.W_OK | os.X_OK):
            problem = OSError(errno.EACCES, os.strerror(errno.EACCES))
        elif output.is_dir():
            problem = OSError(errno.EISDIR, os.strerror(errno.EISDIR))
    if problem is not None:
        detail = describe_os_error(problem)  # worded as `generate` words it
        raise DataFileError(str(output), f"cannot create the file: {detail}")


async def _record(
    client: FeedClient, sink: FileSink, count: int | None, duration: float | None
) -> ExitCode:
    from chrono_cli.feed_run import run_feed

    return await run_feed(client, sink, command="record", count=count, duration=duration)


class FileSink:
    """Writes each update as received; status lines go to stderr.

    The file is created at the first update: a run that records nothing (a typo
    in the URL, a refused symbol) leaves an existing file as it was.
    """

    def __init__(self, path: Path) -> None:
        self._path = path
        self._writer: UpdateWriter | None = None
        self._flushed_at = time.monotonic()
        self.symbols: set[str] = set()
        self.missed = 0

    @property
    def written(self) -> int:
        return self._writer.written if self._writer is not None else 0

    @property
    def created(self) -> bool:
        """Whether the file was created (at the first update)."""
        return self._writer is not None

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()

    def __enter__(self) -> FileSink:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._writer is not None and exc_type is None:
            self._writer.flush()

    def handle(self, event: FeedEvent) -> None:
        from chrono_cli.commands.tail.json_sink import describe
        from chrono_sim.client import Price

        if isinstance(event, Price):
            if self._writer is None:
                from chrono_sim.datafiles import open_writer

                self._writer = open_writer(self._path)
            self._writer.write_update(event.update)
            self.symbols.add(event.update.symbol)
            self.missed += event.missed
            now = time.monotonic()
            if now - self._flushed_at >= FLUSH_EVERY:
                self._writer.flush()
                self._flushed_at = now
        elif (line := describe(event)) is not None:
            print(f"chrono record: {line}", file=sys.stderr, flush=True)
