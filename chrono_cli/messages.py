"""The words of `chrono`'s messages that are the command line's own: counts and bad values.

Failures met on the way (a refused connection, a file that cannot be created)
are worded once, in `chrono_sim.failures`, for the library and every command;
here: how a count reads (`1 update`, `5 updates`) and how an option's value
out of its range reads, whichever parser found it. Typer-free, like
`chrono_cli.params`: `chrono tail`'s fast path may use it.
"""

from __future__ import annotations

from typing import Any


def count(number: int, noun: str) -> str:
    """`1 update`, `0 updates`, `12,345 updates`: a count and its noun, agreeing."""
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def range_phrase(low: float | None, high: float | None) -> str:
    """An option's range in words, as `--help` notes it: `at least 1`, `between 0 and 65535`."""
    if low is not None and high is not None:
        return f"between {_number(low)} and {_number(high)}"
    if low is not None:
        return f"at least {_number(low)}"
    if high is not None:
        return f"at most {_number(high)}"
    return "any number"


def out_of_range(low: float | None, high: float | None, value: Any) -> str:
    """The one wording of a value outside an option's range: `must be at least 1, not 0`."""
    return f"must be {range_phrase(low, high)}, not {value}"


def not_above_zero(value: Any) -> str:
    """A value that must be more than 0 (a duration, a speed) and is not."""
    return f"must be more than 0, not {value}"


def not_a(kind: str, value: Any) -> str:
    """A value of the wrong kind: `'x' is not a whole number`."""
    return f"{value!r} is not {kind}"


def _number(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)
