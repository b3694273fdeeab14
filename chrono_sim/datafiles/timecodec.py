"""Wire timestamps (`2025-10-10T14:30:00.123Z`) to and from epoch milliseconds, vectorised.

Both directions avoid per-update Python work and numpy's datetime string
conversion (~250 ns an item): formatting looks pieces up in small tables, and
parsing checks the fixed shape and computes the date with integer arithmetic,
which also makes it strict (no leap seconds, no 24:00, no 30 February).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Final

import numpy as np
from numpy.typing import NDArray

Int64Array = NDArray[np.int64]

DAY_MS: Final = 86_400_000
SHAPE: Final = "YYYY-MM-DDTHH:MM:SS.mmmZ"
# Epoch milliseconds of 0000-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z: four-digit years.
MIN_MS: Final = -62_167_219_200_000
MAX_MS: Final = 253_402_300_799_999

_WIDTH: Final = len(SHAPE)  # 24
_DIGITS: Final = np.array([i for i, c in enumerate(SHAPE) if c.isalpha() and c not in "TZ"])
_MARKS: Final = np.array([i for i, c in enumerate(SHAPE) if not c.isalpha() or c in "TZ"])
_MARK_CODES: Final = np.array([ord(SHAPE[i]) for i in _MARKS], np.uint32)
_DAYS_IN_MONTH: Final = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], np.int64)


@cache
def hms_table() -> NDArray[np.object_]:
    """`"HH:MM:SS."` for every second of a day, indexed by second of the day."""
    return np.array(
        [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}." for s in range(86_400)], dtype=object
    )


def millisecond_pieces(suffixes: Sequence[str]) -> NDArray[np.object_]:
    """`"mmm" + suffix` for every millisecond and suffix, at `millisecond * len(suffixes) + k`."""
    return np.array([ms + suffix for ms in _millis() for suffix in suffixes], dtype=object)


@cache
def _millis() -> list[str]:
    return [f"{ms:03d}" for ms in range(1000)]


def split_times(time_ms: Int64Array) -> tuple[Int64Array, Int64Array, Int64Array]:
    """Epoch milliseconds as (days since the epoch, second of the day, millisecond)."""
    days, in_day = np.divmod(time_ms, DAY_MS)
    second, millisecond = np.divmod(in_day, 1000)
    return days, second, millisecond


def day_pieces(
    days: Int64Array, prefix: str, suffix: str
) -> tuple[NDArray[np.object_], Int64Array]:
    """`prefix + "YYYY-MM-DD" + suffix` for each distinct day, and each day's index into them.

    A chunk of updates spans a day or two, so a table of the days between the
    first and the last is small; a scattered chunk falls back to the distinct days.
    """
    first, last = int(days.min()), int(days.max())
    if last - first <= len(days):
        span: Int64Array = np.arange(first, last + 1, dtype=np.int64)
        index = days - first
    else:
        span, inverse = np.unique(days, return_inverse=True)
        index = inverse.astype(np.int64)
    names = np.datetime_as_string(span.astype("datetime64[D]")).tolist()
    table = np.array([prefix + name + suffix for name in names], dtype=object)
    return table, index


def parse_timestamps(texts: list[str]) -> tuple[Int64Array, int | None]:
    """Epoch milliseconds of each wire timestamp, and the index of the first invalid one (or None).

    Entries from the first invalid one on are unspecified.
    """
    count = len(texts)
    # One character wider than the shape, so a longer string shows a character in the last column.
    codes = np.array(texts, dtype=f"U{_WIDTH + 1}").view(np.uint32).reshape(count, _WIDTH + 1)
    digits = codes[:, _DIGITS].astype(np.int64) - ord("0")
    ok = (
        (digits >= 0).all(axis=1)
        & (digits <= 9).all(axis=1)
        & (codes[:, _MARKS] == _MARK_CODES).all(axis=1)
        & (codes[:, _WIDTH] == 0)
    )
    digits[~ok] = 0
    year = digits[:, 0] * 1000 + digits[:, 1] * 100 + digits[:, 2] * 10 + digits[:, 3]
    month, day, hour, minute, second = (
        digits[:, i] * 10 + digits[:, i + 1] for i in (4, 6, 8, 10, 12)
    )
    millisecond = digits[:, 14] * 100 + digits[:, 15] * 10 + digits[:, 16]
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_days = _DAYS_IN_MONTH[np.clip(month, 0, 12)] + (leap & (month == 2))
    ok &= (month >= 1) & (month <= 12) & (day >= 1) & (day <= month_days)
    ok &= (hour < 24) & (minute < 60) & (second < 60)
    time_ms = _days_from_civil(year, month, day) * DAY_MS
    time_ms += ((hour * 60 + minute) * 60 + second) * 1000 + millisecond
    bad = np.flatnonzero(~ok)
    return time_ms, (int(bad[0]) if len(bad) else None)


def _days_from_civil(year: Int64Array, month: Int64Array, day: Int64Array) -> Int64Array:
    """Days since 1970-01-01 of proleptic Gregorian dates (H. Hinnant's `days_from_civil`)."""
    year = year - (month <= 2)
    era = year // 400
    year_of_era = year - era * 400
    day_of_year = (153 * np.where(month > 2, month - 3, month + 9) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    result: Int64Array = era * 146_097 + day_of_era - 719_468
    return result
