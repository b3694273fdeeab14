"""The protocol's one timestamp format: ISO 8601 UTC, milliseconds, `Z`."""

from __future__ import annotations

import time
from datetime import datetime
from functools import lru_cache


def format_timestamp(epoch_seconds: float) -> str:
    """Render Unix time as `2025-10-10T14:30:00.000Z` (milliseconds truncated, never rounded up)."""
    seconds, ms = divmod(int(epoch_seconds * 1000), 1000)
    return f"{_second_prefix(seconds)}.{ms:03d}Z"


# Updates come many per second, so the date-and-time part is nearly always the last one.
@lru_cache(maxsize=8)
def _second_prefix(seconds: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))


def parse_timestamp(text: str) -> float:
    """Unix time of an ISO 8601 timestamp with a time zone (`2025-10-10T14:30:00.000Z`).

    Raises `ValueError` for anything else, a time without a zone included: read
    as the machine's local time, it would be off by its UTC offset.
    """
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"timestamp {text!r} has no time zone")
    return moment.timestamp()
