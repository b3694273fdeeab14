"""Injectable time: a real clock for the server, a manual one for tests.

Two readings, because they answer different questions: `monotonic()` measures
intervals and deadlines (it never jumps), `time()` stamps messages (Unix epoch
seconds, UTC).
"""

from __future__ import annotations

import time as _time
from typing import Protocol

# 2025-10-10T14:30:00.000Z, the instant the protocol document's examples use.
DOCUMENT_EPOCH = 1_760_106_600.0


class Clock(Protocol):
    """Where every timer, deadline, rate limit and timestamp reads the time."""

    def monotonic(self) -> float:
        """Seconds on a clock that never goes backwards; only differences mean anything."""
        ...

    def time(self) -> float:
        """Wall-clock seconds since the Unix epoch, for timestamps."""
        ...


class SystemClock:
    """The machine's clocks. `monotonic()` shares asyncio's time base."""

    def monotonic(self) -> float:
        return _time.monotonic()

    def time(self) -> float:
        return _time.time()


class ManualClock:
    """A clock that moves only when a test calls `advance`, so timers need no sleeps."""

    def __init__(self, *, start_time: float = DOCUMENT_EPOCH, start_monotonic: float = 0.0) -> None:
        self._wall = start_time
        self._monotonic = start_monotonic

    def monotonic(self) -> float:
        return self._monotonic

    def time(self) -> float:
        return self._wall

    def advance(self, seconds: float) -> None:
        """Move both readings forward by `seconds` (which must not be negative)."""
        if seconds < 0:
            raise ValueError(f"a clock cannot go backwards (advance({seconds}))")
        self._monotonic += seconds
        self._wall += seconds
