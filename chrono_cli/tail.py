"""`chrono tail`: watch a Chrono feed in a terminal (live table) or a pipe (JSON lines)."""

from __future__ import annotations

from typing import Annotated

import typer

from chrono_cli import tail_run
from chrono_cli.options import (
    DEFAULT_URL,
    DEV_KEY,
    DURATION_METAVAR,
    ApiKey,
    CaFile,
    StopAfterCount,
    StopAfterDuration,
    Url,
)
from chrono_cli.tail_run import MAX_SYMBOLS, TailArgs, threshold
from chrono_sim.client.ledger import DEFAULT_LATE_AFTER, DEFAULT_STALL_AFTER
from chrono_sim.errors import ConfigError

EPILOG = (
    "Exit codes: 0 done (--count/--duration reached, or Ctrl-C); 2 bad command line; "
    "3 unusable --cafile; 4 server unreachable within --duration, or its TLS certificate "
    "not trusted; 5 API key refused (4401); "
    "6 request refused (unknown symbol, too many symbols)."
)


def _threshold(text: str | float) -> float:
    try:
        return threshold(text)
    except ConfigError as exc:
        raise typer.BadParameter(str(exc)) from None


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
    cafile: CaFile = None,
    late_after: Annotated[
        float,
        typer.Option(
            parser=_threshold,
            metavar=DURATION_METAVAR,
            help="Count an update late when it arrives this long after its timestamp.",
        ),
    ] = DEFAULT_LATE_AFTER,
    stall_after: Annotated[
        float,
        typer.Option(
            parser=_threshold,
            metavar=DURATION_METAVAR,
            help="Count a stall: this long without a frame, then one this late.",
        ),
    ] = DEFAULT_STALL_AFTER,
) -> None:
    """Stream prices of SYMBOLS: a live table in a terminal, JSON lines in a pipe.

    Reconnects with backoff and resubscribes by itself. Faults are counted as seen: missed,
    repeated and out-of-order updates (from seq), late ones, stalls and disconnects; a
    summary line ends the run on stderr.
    """
    if len(symbols) > MAX_SYMBOLS:
        raise typer.BadParameter(f"at most {MAX_SYMBOLS} symbols, got {len(symbols)}")
    # The run itself is in tail_run, which `chrono tail` also reaches without Typer (entry.py).
    args = TailArgs(
        tuple(symbols), url, api_key, json_lines, count, duration, snapshot, cafile=cafile,
        late_after=late_after, stall_after=stall_after,
    )  # fmt: skip
    raise typer.Exit(tail_run.run(args))
