"""Exit codes shared by every `chrono` command, and the one-line error each ends with."""

from __future__ import annotations

import enum
import sys
from typing import NoReturn


class ExitCode(enum.IntEnum):
    OK = 0
    FAILURE = 1  # anything not named below
    USAGE = 2  # bad command line (as click and most Unix tools use it)
    CONFIG = 3  # a setting or file the user gave is unusable
    UNAVAILABLE = 4  # cannot listen or connect: port taken, host unreachable
    UNAUTHORIZED = 5  # the server refused the API key (4401)
    REFUSED = 6  # the server refused the request: unknown symbol, too many symbols
    CHECK_FAILED = 7  # chrono check: the server broke at least one rule
    TARGETS_MISSED = 8  # chrono bench: a figure fell short of its target
    INTERRUPTED = 130  # Ctrl-C where that is not the normal way to stop


# Commands that run until the user stops them: Ctrl-C is their normal end, whenever it comes.
STOPPED_BY_CTRL_C = frozenset({"tail", "record", "serve", "demo"})


def on_ctrl_c(args: list[str]) -> ExitCode:
    """The exit code of a Ctrl-C that reached the entry point, for the command line `args`."""
    return ExitCode.OK if args[:1] and args[0] in STOPPED_BY_CTRL_C else ExitCode.INTERRUPTED


def report(command: str, code: ExitCode, message: str) -> ExitCode:
    """Print `message` as the command's one error line on stderr; returns `code`."""
    print(f"chrono {command}: error: {message}", file=sys.stderr, flush=True)
    return code


def fail(command: str, code: ExitCode, message: str) -> NoReturn:
    """Print the one error line and exit with `code` (from inside a Typer command)."""
    import typer  # here: `chrono tail` reports errors without importing Typer (see entry.py)

    raise typer.Exit(report(command, code, message))
