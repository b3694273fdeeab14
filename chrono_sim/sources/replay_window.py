"""`--from` / `--to`: the part of a tape to replay, as a UTC time or an offset into the tape."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chrono_sim.datafiles.tape import Tape
from chrono_sim.durations import parse_duration
from chrono_sim.errors import ConfigError
from chrono_sim.protocol.timestamps import format_timestamp

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MILLISECOND = timedelta(milliseconds=1)


def parse_bound(text: str, first_ms: int) -> int:
    """Epoch milliseconds named by `text`.

    `text` is either an ISO 8601 time with a zone (`2025-10-10T14:30:00Z`,
    `2025-10-10T14:30:00.250Z`, `...+00:00`) or a duration after the tape's
    first update at `first_ms` (`90`, `10m`, `1h`). Raises `ConfigError`.
    """
    try:
        return first_ms + round(parse_duration(text) * 1000)
    except ConfigError:
        pass
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ConfigError(
            f"{text!r} is neither a UTC time (e.g. 2025-10-10T14:30:00Z) "
            "nor an offset into the file (e.g. 90s, 10m, 1h)"
        ) from None
    if moment.tzinfo is None:
        # A time without a zone would silently mean the machine's zone; refuse to guess.
        raise ConfigError(f"{text!r} has no time zone: add Z for UTC, e.g. {text.strip()}Z")
    return (moment - _EPOCH) // _MILLISECOND


def cut_window(tape: Tape, start: str | None = None, stop: str | None = None) -> Tape:
    """The updates of `tape` at or after `start` and before `stop` (see `parse_bound`).

    Either bound may be None (open). Raises `ConfigError` when the window
    holds no update, naming the span the tape does cover.
    """
    if not len(tape) or (start is None and stop is None):
        return tape
    first, last = int(tape.time_ms[0]), int(tape.time_ms[-1])
    start_ms = None if start is None else parse_bound(start, first)
    stop_ms = None if stop is None else parse_bound(stop, first)
    window = tape.window(start_ms, stop_ms)
    if not len(window):
        low = "the start" if start_ms is None else _describe(start_ms)
        high = "the end" if stop_ms is None else _describe(stop_ms)
        raise ConfigError(
            f"no update from {low} to {high}: the file runs from "
            f"{_describe(first)} to {_describe(last)}"
        )
    return window


def _describe(epoch_ms: int) -> str:
    try:
        return format_timestamp(epoch_ms / 1000)
    except (OverflowError, OSError, ValueError):  # e.g. --to 1000000000h
        return f"{epoch_ms} ms after 1970"
