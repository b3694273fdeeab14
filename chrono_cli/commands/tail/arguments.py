"""`chrono tail`'s command line, defined once: the table both of its parsers are read from.

Typer, and the pydantic it converts arguments with, are more than half of
`chrono tail`'s launch to its first price. So `chrono_cli.entry` hands a plain
`tail` command line to `parse_plain` here, which imports neither, and runs it
straight away; `chrono_cli.commands.tail.command` builds the Typer command,
help and all, from the same `PARAMS`. Whatever `parse_plain` does not read
(help, an error, an unusual form) goes to Typer, with Typer's help and messages.
`tests/chrono_cli/commands/tail/test_arguments.py` checks that the two agree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from chrono_cli import params
from chrono_cli.params import DEFAULT_URL, DEV_KEY, DURATION_METAVAR, Arguments, Option
from chrono_sim.client.ledger import DEFAULT_LATE_AFTER, DEFAULT_STALL_AFTER

MAX_SYMBOLS = 10


# In the order of `chrono tail --help`.
PARAMS: tuple[Arguments | Option, ...] = (
    Arguments("symbols", f"1 to {MAX_SYMBOLS} symbols, e.g. BTC/USD ETH/USD.", "SYMBOL"),
    params.URL,
    params.API_KEY,
    Option("json_lines", bool, False, "JSON lines on stdout (the default in a pipe).", ("--json",)),
    params.COUNT,
    params.DURATION,
    Option("snapshot", bool, False, "Ask for each symbol's last price on subscribe."),
    params.CAFILE,
    Option(
        "late_after", float, DEFAULT_LATE_AFTER,
        "Count an update late when it arrives this long after its timestamp.",
        metavar=DURATION_METAVAR, parser=params.positive_duration,
    ),
    Option(
        "stall_after", float, DEFAULT_STALL_AFTER,
        "Count a stall: this long without a frame, then one this late.",
        metavar=DURATION_METAVAR, parser=params.positive_duration,
    ),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class TailArgs:
    """What `chrono tail` was asked for: a field for each row of `PARAMS`."""

    symbols: tuple[str, ...]
    url: str = DEFAULT_URL
    api_key: str = DEV_KEY
    json_lines: bool = False
    count: int | None = None
    duration: float | None = None
    snapshot: bool = False
    cafile: Path | None = None
    late_after: float = DEFAULT_LATE_AFTER
    stall_after: float = DEFAULT_STALL_AFTER

    @classmethod
    def of(cls, values: Mapping[str, object]) -> TailArgs:
        """From a value for each row of `PARAMS`, as either parser gives them."""
        fields = dict(values)
        symbols = fields.pop("symbols")
        assert isinstance(symbols, list | tuple)
        return cls(tuple(symbols), **fields)  # type: ignore[arg-type]


def parse_plain(args: Sequence[str], environ: Mapping[str, str]) -> TailArgs | None:
    """The arguments after `chrono tail`, if a plain, valid command line of 1 to 10 symbols.

    Else None, for Typer to answer (see `chrono_cli.params.parse_plain`).
    """
    values = params.parse_plain(PARAMS, args, environ)
    if values is None or len(values["symbols"]) > MAX_SYMBOLS:
        return None
    return TailArgs.of(values)
