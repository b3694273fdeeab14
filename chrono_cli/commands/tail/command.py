"""`chrono tail`'s Typer command: its parameters are the rows of `arguments.PARAMS`."""

from __future__ import annotations

from typing import Any

import typer

from chrono_cli.commands.tail.arguments import MAX_SYMBOLS, PARAMS, TailArgs
from chrono_cli.feed_run import RETRIES
from chrono_cli.options import typer_signature

EPILOG = (
    "Exit codes: 0 done (--count/--duration reached, or Ctrl-C); 2 bad command line; "
    "3 unusable --cafile; 4 server unreachable within --duration, or its TLS certificate "
    "not trusted; 5 API key refused (4401); "
    "6 request refused (unknown symbol, too many symbols)."
    " " + RETRIES
)


@typer_signature(PARAMS)
def tail(**values: Any) -> None:
    """Stream prices of SYMBOLS: a live table in a terminal, JSON lines in a pipe.

    Reconnects with backoff and resubscribes by itself. Faults are counted as seen: missed,
    repeated and out-of-order updates (from seq), late ones, stalls and disconnects; a
    summary line ends the run on stderr.
    """
    from chrono_cli.commands.tail.run import run

    args = TailArgs.of(values)
    if len(args.symbols) > MAX_SYMBOLS:
        raise typer.BadParameter(f"at most {MAX_SYMBOLS} symbols, got {len(args.symbols)}")
    # The run itself is in `run`, which `chrono tail` also reaches without Typer (entry.py).
    raise typer.Exit(run(args))
