"""Running `chrono tail`, without Typer: its launch to first price is what users wait for.

Importing Typer, and the pydantic it converts arguments with, is more than half
of that launch. So `chrono_cli.entry` hands a plain `tail` command line to
`parse_plain` and, when that understands it, to `run`, and never imports Typer.
The Typer command (`chrono_cli.tail`) stays the definition of the command line:
`parse_plain` accepts only what Typer parses to the same values, and returns
None for anything else (help, an error, an option or a form it does not know),
which then goes to Typer and gets Typer's help and messages.
`tests/unit/test_tail_run.py` checks that the two agree.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from chrono_cli.defaults import API_KEY_ENV, DEFAULT_URL, DEV_KEY
from chrono_cli.exit_codes import ExitCode, report
from chrono_sim.client.ledger import DEFAULT_LATE_AFTER, DEFAULT_STALL_AFTER
from chrono_sim.durations import parse_duration
from chrono_sim.errors import ConfigError, InvalidUrlError

if TYPE_CHECKING:
    from chrono_cli.feed_run import Sink
    from chrono_sim.client import FeedClient

MAX_SYMBOLS = 10

# Options of `chrono tail`: the flags, with the field and value each sets, then those with a value.
_FLAGS = {
    "--json": ("json_lines", True),
    "--snapshot": ("snapshot", True),
    "--no-snapshot": ("snapshot", False),
}
_WITH_VALUE = frozenset(
    {"--url", "--api-key", "--count", "--duration", "--cafile", "--late-after", "--stall-after"}
)
_COUNT = re.compile(r"[1-9][0-9]{0,17}")  # read alike by any integer parser: no sign, 0 or _


@dataclass(frozen=True, slots=True)
class TailArgs:
    """What `chrono tail` was asked for, as its Typer command receives it."""

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


def parse_plain(args: Sequence[str], environ: Mapping[str, str]) -> TailArgs | None:
    """The arguments after `chrono tail`, if they are a plain, valid command line; else None.

    Plain: 1 to 10 symbols and `tail`'s options (`--opt VALUE` or `--opt=VALUE`) in
    any order, each option once, no value that starts with `-`, a valid --count
    and --duration. Without --api-key, the key is a non-empty $CHRONO_API_KEY in
    `environ`, as Typer takes it, else the development key.
    """
    symbols: list[str] = []
    flags: dict[str, bool] = {}
    values: dict[str, str] = {}
    rest = iter(args)
    for arg in rest:
        if not arg.startswith("-"):
            symbols.append(arg)
            continue
        name, equals, value = arg.partition("=")
        if name in _FLAGS and not equals:
            field, flag = _FLAGS[name]
            if field in flags:
                return None
            flags[field] = flag
        elif name in _WITH_VALUE:
            if not equals:
                value = next(rest, "-")  # no value at all: Typer's to report, as for a dash
            if name in values or value.startswith("-"):
                return None
            values[name] = value
        else:
            return None  # --help, --, an unknown option: Typer's to answer
    count = values.get("--count")
    if not 1 <= len(symbols) <= MAX_SYMBOLS or (count is not None and not _COUNT.fullmatch(count)):
        return None
    try:
        duration = parse_duration(values["--duration"]) if "--duration" in values else None
        late_after = threshold(values.get("--late-after", DEFAULT_LATE_AFTER))
        stall_after = threshold(values.get("--stall-after", DEFAULT_STALL_AFTER))
    except ConfigError:
        return None
    api_key = values.get("--api-key")
    if api_key is None:
        api_key = environ.get(API_KEY_ENV) or DEV_KEY
    return TailArgs(
        tuple(symbols),
        url=values.get("--url", DEFAULT_URL),
        api_key=api_key,
        json_lines=flags.get("json_lines", False),
        count=None if count is None else int(count),
        duration=duration,
        snapshot=flags.get("snapshot", False),
        cafile=Path(values["--cafile"]) if "--cafile" in values else None,
        late_after=late_after,
        stall_after=stall_after,
    )


def threshold(text: str | float) -> float:
    """A fault threshold (`--late-after`, `--stall-after`): a duration above zero."""
    seconds = float(text) if isinstance(text, int | float) else parse_duration(text)
    if not seconds > 0:
        raise ConfigError(f"{text!r} is not a threshold: must be more than 0")
    return seconds


def run(args: TailArgs) -> ExitCode:
    """Stream prices until done: a live table in a terminal, JSON lines otherwise."""
    import gc

    # Starting makes tens of thousands of objects that last as long as the process, and
    # no garbage: collecting meanwhile is wasted work (about 5 to 8 ms of the launch), and
    # once frozen, later collections skip them too.
    gc.disable()
    try:
        import asyncio

        from chrono_cli.feed_run import run_feed

        client, sink = _start(args)
    except InvalidUrlError as exc:
        return report("tail", ExitCode.USAGE, str(exc))
    except ConfigError as exc:  # an unusable --cafile
        return report("tail", ExitCode.CONFIG, str(exc))
    finally:
        gc.freeze()
        gc.enable()
    return asyncio.run(
        run_feed(client, sink, command="tail", count=args.count, duration=args.duration)
    )


def _start(args: TailArgs) -> tuple[FeedClient, Sink]:
    """The client, and the sink that shows its events (Rich only for a terminal)."""
    from chrono_sim.client import FeedClient
    from chrono_sim.client.tls import client_tls_context
    from chrono_sim.protocol.clock import SystemClock

    clock = SystemClock()
    client = FeedClient(
        args.url,
        api_key=args.api_key,
        symbols=args.symbols,
        snapshot=args.snapshot,
        clock=clock,
        ssl=client_tls_context(args.url, args.cafile),
    )
    from chrono_sim.client.ledger import FaultLedger

    faults = FaultLedger(late_after=args.late_after, stall_after=args.stall_after)
    if args.json_lines or not sys.stdout.isatty():
        from chrono_cli.tail_json import JsonLinesSink

        return client, JsonLinesSink(faults=faults)
    from chrono_cli.tail_live import TableSink
    from chrono_cli.tail_state import TailState

    return client, TableSink(TailState(args.symbols, faults), clock, title=args.url)
