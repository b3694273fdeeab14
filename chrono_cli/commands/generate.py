"""`chrono generate`: write a synthetic market to a file, as fast as the machine allows."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from chrono_cli.exit_codes import ExitCode, fail
from chrono_cli.messages import count
from chrono_cli.options import MAX_UNIVERSE, check_interval, duration_option

if TYPE_CHECKING:
    from chrono_sim.protocol.catalog import Catalog

# The protocol document's day: with a fixed default start, a seed alone fixes every byte.
DEFAULT_START = "2025-10-10T00:00:00Z"

EPILOG = (
    "Formats by extension: .jsonl/.ndjson (price_update lines, as on the wire) or .csv, "
    "either optionally .gz. Exit codes: 0 written; 2 bad command line; 3 unusable file or "
    "symbol; 130 interrupted (no partial file is left)."
)


def generate(
    output: Annotated[
        Path,
        typer.Option(
            "--output", "-o", metavar="FILE", help="File to write; format from its extension."
        ),
    ],
    length: Annotated[
        float,
        # Above zero: an empty file is one `serve --replay` refuses.
        duration_option("--duration", description="Market time to cover.", positive=True),
    ] = 3600.0,
    seed: Annotated[
        int | None,
        typer.Option(min=0, metavar="N", help="Seed; the same seed gives byte-identical files."),
    ] = None,
    interval: Annotated[
        float,
        duration_option(
            description="Mean time between two updates of one symbol.",
        ),
    ] = 4.0,
    symbols: Annotated[
        str | None,
        typer.Option(help="Comma-separated symbols (default: the whole catalog).", metavar="LIST"),
    ] = None,
    universe: Annotated[
        int,
        typer.Option(
            min=0, max=MAX_UNIVERSE, help="Add N made-up symbols (for scale tests).", metavar="N"
        ),
    ] = 0,
    start: Annotated[
        str, typer.Option(metavar="TIME", help="Timestamp of the first update (ISO 8601 UTC).")
    ] = DEFAULT_START,
) -> None:
    """Write DURATION of synthetic market to a file, without waiting for real time."""
    import secrets

    from chrono_sim.errors import ConfigError

    check_interval(interval)
    seed = seed if seed is not None else secrets.randbelow(2**31)
    try:
        catalog = _catalog(symbols, universe, seed)
        start_ms = _parse_start(start)
        written, elapsed = _write(output, catalog, seed, interval, start_ms, length)
    except ConfigError as exc:
        fail("generate", ExitCode.CONFIG, str(exc))
    except OSError as exc:
        from chrono_sim.failures import describe_os_error

        detail = describe_os_error(exc)  # worded as `record` words it (DataFileError)
        fail("generate", ExitCode.CONFIG, f"{output}: cannot create the file: {detail}")
    except KeyboardInterrupt:
        fail("generate", ExitCode.INTERRUPTED, f"interrupted; {output} was not written")
    rate = written / elapsed if elapsed > 0 else float("inf")
    print(
        f"chrono generate: wrote {count(written, 'update')} of {count(len(catalog), 'symbol')} "
        f"to {output} "
        f"(seed {seed}) in {elapsed:.2f} s, {rate:,.0f} updates/s",
        file=sys.stderr,
    )


def _catalog(symbols: str | None, universe: int, seed: int) -> Catalog:
    from chrono_sim.protocol.catalog import DEFAULT_CATALOG

    catalog = DEFAULT_CATALOG if symbols is None else DEFAULT_CATALOG.select(symbols.split(","))
    if universe:
        from chrono_sim.market.universe import with_universe

        catalog = with_universe(catalog, universe, seed=seed)
    return catalog


def _parse_start(text: str) -> int:
    from datetime import UTC, datetime

    from chrono_sim.errors import ConfigError

    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"--start {text!r} is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return round(moment.timestamp() * 1000)


def _write(
    output: Path, catalog: Catalog, seed: int, interval: float, start_ms: int, length: float
) -> tuple[int, float]:
    """Write through a temporary file renamed at the end: a failed run leaves nothing half-done.

    SIGTERM is turned into KeyboardInterrupt meanwhile, so `kill` cleans up as Ctrl-C does.
    """
    import os
    import signal

    from chrono_sim.datafiles import file_format, open_writer
    from chrono_sim.errors import DataFileError
    from chrono_sim.market import MarketModel

    file_format(output)  # an unknown extension is refused under the user's own file name
    began = time.perf_counter()  # after the imports: the rate is the generator's, not Python's
    # Same suffixes, so the writer picks the same format; hidden, so no one mistakes it.
    partial = output.with_name(f".{output.name}.partial-{os.getpid()}{''.join(output.suffixes)}")
    model = MarketModel(catalog, seed=seed, interval=interval, start_ms=start_ms)
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        with open_writer(partial) as writer:
            for tape in model.run(length):
                writer.write_tape(tape)
        os.replace(partial, output)
    except DataFileError as exc:
        raise DataFileError(str(output), exc.detail, line=exc.line) from None
    finally:
        signal.signal(signal.SIGTERM, previous)
        partial.unlink(missing_ok=True)
    return writer.written, time.perf_counter() - began


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt
