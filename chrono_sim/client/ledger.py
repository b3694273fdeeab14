"""What a client can observe of its feed's faults, counted by kind from `FeedClient` events.

The `seq` side (missed, duplicate, out of order, reset) comes classified on each
`Price` (see `gaps`); this adds the time side, which needs thresholds:

- *late*: an update received at least `late_after` after its own `timestamp`.
- *stall*: a frame received after a silence (no frame at all on the connection)
  of at least `stall_after`, and itself late by at least `stall_after`: the
  burst after a writer froze, not a quiet market. Once per silence.
- *disconnect*: an open connection that ended, counted per close code (1006 when
  it was dropped without a close frame). Failed attempts to connect are not.

Pure: every time is passed in (wall-clock seconds, like `Price.received_at`).
"""

from __future__ import annotations

import enum
from collections import Counter
from typing import NamedTuple

from chrono_sim.client.events import (
    Connected,
    Disconnected,
    FeedEvent,
    Heartbeat,
    Price,
)
from chrono_sim.client.gaps import SeqKind
from chrono_sim.protocol.timestamps import parse_timestamp

# The defaults of `chrono tail --late-after` and `--stall-after`.
DEFAULT_LATE_AFTER = 0.1
DEFAULT_STALL_AFTER = 1.0

# Epoch seconds near 2025 carry about 0.2 µs of float error: a frame exactly at a threshold
# must not fall short of it by that.
_EPSILON = 1e-6


class FaultKind(enum.StrEnum):
    MISSED = "missed"
    DUPLICATE = "duplicate"
    OUT_OF_ORDER = "out of order"
    RESET = "reset"
    LATE = "late"
    STALL = "stall"
    DISCONNECT = "disconnect"


_SEQ_FAULTS = {
    SeqKind.GAP: FaultKind.MISSED,
    SeqKind.DUPLICATE: FaultKind.DUPLICATE,
    SeqKind.OUT_OF_ORDER: FaultKind.OUT_OF_ORDER,
    SeqKind.RESET: FaultKind.RESET,
}


class Finding(NamedTuple):
    """One fault seen, with what there is to say about it."""

    kind: FaultKind
    symbol: str = ""
    seq: int | None = None
    missed: int = 0  # MISSED: updates skipped before `seq`
    across_reconnect: bool = False  # MISSED: published while reconnecting
    late: float = 0.0  # LATE, STALL: seconds between the frame's timestamp and its arrival
    silence: float = 0.0  # STALL: seconds without a frame before it
    code: int | None = None  # DISCONNECT: the close code (None: none known)


class FaultLedger:
    """Counts of every kind of fault seen on a feed, across reconnects."""

    # A plain class, not a dataclass: it is built before `chrono tail`'s first price.
    __slots__ = (
        "_last_frame_at", "_open", "connections", "disconnects", "duplicates", "late",
        "late_after", "missed", "missed_reconnecting", "out_of_order", "resets", "stall_after",
        "stalls", "updates",
    )  # fmt: skip

    def __init__(
        self, *, late_after: float = DEFAULT_LATE_AFTER, stall_after: float = DEFAULT_STALL_AFTER
    ) -> None:
        self.late_after = late_after
        self.stall_after = stall_after
        self.connections = 0  # opened, including reconnections
        self.updates = 0
        # Net: an update that arrives out of order gives back the one its gap counted.
        self.missed = 0
        self.missed_reconnecting = 0  # of `missed`: published while reconnecting
        self.duplicates = 0
        self.out_of_order = 0
        self.resets = 0
        self.late = 0
        self.stalls = 0
        self.disconnects: Counter[int | None] = Counter()
        self._open = False
        self._last_frame_at: float | None = None

    def observe(self, event: FeedEvent, now: float) -> list[Finding]:
        """Count `event`, received at `now`; return the faults it shows (often none)."""
        if isinstance(event, Price):
            return self._on_price(event)
        if isinstance(event, Heartbeat):
            stall = self._on_frame(event.received_at, _epoch(event.timestamp))
            return [stall] if stall is not None else []
        if isinstance(event, Connected):
            self._open = True
            self.connections += 1
            self._last_frame_at = now  # silence counts from the connection's start
        elif isinstance(event, Disconnected):
            was_open, self._open = self._open, False
            if was_open:
                self.disconnects[event.code] += 1
                return [Finding(FaultKind.DISCONNECT, code=event.code)]
        # A Subscribed reply carries no timestamp to judge: it neither ends nor starts a silence.
        return []

    @property
    def total_disconnects(self) -> int:
        return sum(self.disconnects.values())

    def _on_price(self, price: Price) -> list[Finding]:
        update = price.update
        seq = update.seq if isinstance(update.seq, int) else None
        self.updates += 1
        findings: list[Finding] = []
        kind = _SEQ_FAULTS.get(price.seq_kind)
        self.missed += price.missed
        if price.across_reconnect:
            self.missed_reconnecting += price.missed
        if kind is not None:
            self._count_seq(kind)
            missed = max(price.missed, 0)
            findings.append(
                Finding(kind, update.symbol, seq, missed, across_reconnect=price.across_reconnect)
            )
        if update.snapshot is True:  # the last price, old by design: neither late nor a stall
            self._on_frame(price.received_at, None)
            return findings
        sent_at = _epoch(update.timestamp)
        stall = self._on_frame(price.received_at, sent_at)
        if stall is not None:
            findings.append(stall._replace(symbol=update.symbol, seq=seq))
        if sent_at is not None and price.received_at - sent_at >= self.late_after - _EPSILON:
            self.late += 1
            findings.append(
                Finding(FaultKind.LATE, update.symbol, seq, late=price.received_at - sent_at)
            )
        return findings

    def _count_seq(self, kind: FaultKind) -> None:
        if kind is FaultKind.DUPLICATE:
            self.duplicates += 1
        elif kind is FaultKind.OUT_OF_ORDER:
            self.out_of_order += 1
        elif kind is FaultKind.RESET:
            self.resets += 1

    def _on_frame(self, received_at: float, sent_at: float | None) -> Finding | None:
        """Note a frame's arrival; a STALL finding if it ends a stall."""
        previous, self._last_frame_at = self._last_frame_at, received_at
        if previous is None or sent_at is None:
            return None
        silence = received_at - previous
        late = received_at - sent_at
        if min(silence, late) >= self.stall_after - _EPSILON:
            self.stalls += 1
            return Finding(FaultKind.STALL, late=late, silence=silence)
        return None


def _epoch(timestamp: str) -> float | None:
    """A protocol timestamp (`2025-10-10T14:30:00.000Z`) in epoch seconds; None if unreadable."""
    try:
        return parse_timestamp(timestamp)
    except ValueError:
        return None
