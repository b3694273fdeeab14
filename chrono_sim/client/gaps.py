"""Classifying each update by its symbol's `seq`: in order, a gap, a repeat, late, a reset.

The rules (docs: the fault semantics' client-side classification), per symbol:

- `seq` above the last one + 1: the numbers in between are *missed*, and remembered
  as outstanding (the latest `WINDOW` of them).
- `seq` already received: a *duplicate*; nothing is missed or reset.
- `seq` below the last one and outstanding: *out of order*; it fills its gap, so
  the symbol's missed count goes down by one.
- `seq` below the last one, neither outstanding nor received (a restarted server
  numbering from 1 again, or older than the window): a *reset*; counting starts over.
- A snapshot repeats the latest `seq` by design: never a duplicate.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import NamedTuple

# Numbers below the last `seq` whose fate (received or missed) is remembered, per symbol:
# bounds the memory a long gap or a long run can take.
WINDOW = 1024


class SeqKind(enum.StrEnum):
    """How an update's `seq` relates to those seen before it."""

    IN_ORDER = "in order"  # the next one, or the first one seen
    GAP = "gap"  # some before it were skipped (missed)
    DUPLICATE = "duplicate"
    OUT_OF_ORDER = "out of order"
    RESET = "reset"
    SNAPSHOT = "snapshot"  # a snapshot repeating an update already seen
    UNSEQUENCED = "unsequenced"  # no `seq` at all: another server's update


class SeqVerdict(NamedTuple):  # not a dataclass: cheaper to define, for tail's launch
    kind: SeqKind
    missed: int = 0  # change to the symbol's missed count: the gap's size, or -1 when filled
    # A gap on a connection's first update of the symbol: published while reconnecting.
    across_reconnect: bool = False


IN_ORDER = SeqVerdict(SeqKind.IN_ORDER)
UNSEQUENCED = SeqVerdict(SeqKind.UNSEQUENCED)


@dataclass(slots=True)
class SymbolGaps:
    last_seq: int | None = None
    first_seq: int = 0  # the lowest seq of the current numbering known received or missed
    missed: int = 0
    resets: int = 0
    outstanding: set[int] = field(default_factory=set)
    # No live update yet on the current connection. The server numbers each symbol's
    # updates in one sequence, so a new connection's first is above any seen before,
    # unless the server restarted and numbers from 1 again.
    fresh: bool = False
    # No update at all yet on the current connection (a snapshot counts): a gap up to
    # the first one spans the reconnect.
    rejoining: bool = False


class SeqTracker:
    """Per-symbol `seq` bookkeeping that survives reconnects (so gaps across one count too)."""

    def __init__(self, window: int = WINDOW) -> None:
        self._window = window
        self._symbols: dict[str, SymbolGaps] = {}

    def classify(self, symbol: str, seq: int, *, snapshot: bool = False) -> SeqVerdict:
        """Record an update of `symbol` numbered `seq`; say what it was."""
        gaps = self._symbols.get(symbol)
        if gaps is None:
            gaps = self._symbols[symbol] = SymbolGaps()
        last = gaps.last_seq
        rejoining, gaps.rejoining = gaps.rejoining, False
        if gaps.fresh and not snapshot:
            gaps.fresh = False
            if last is not None and seq <= last:
                return self._reset(gaps, seq)
        if last is None or seq == last + 1:
            if last is None:
                gaps.first_seq = seq
            gaps.last_seq = seq
            return IN_ORDER
        if seq > last:
            verdict = self._gap(gaps, seq)
            return verdict._replace(across_reconnect=True) if rejoining else verdict
        return self._behind(gaps, seq, snapshot=snapshot)

    def new_connection(self) -> None:
        """A new connection begins: its first update of a symbol at or below the last
        one seen means the server restarted (a reset), not a repeat."""
        for gaps in self._symbols.values():
            gaps.fresh = gaps.rejoining = True

    def observe(self, symbol: str, seq: int) -> int:
        """Record an update; return the change to `symbol`'s missed count (see `SeqVerdict`)."""
        return self.classify(symbol, seq).missed

    def missed(self, symbol: str) -> int:
        gaps = self._symbols.get(symbol)
        return gaps.missed if gaps else 0

    @property
    def total_missed(self) -> int:
        return sum(gaps.missed for gaps in self._symbols.values())

    def _behind(self, gaps: SymbolGaps, seq: int, *, snapshot: bool) -> SeqVerdict:
        """An update numbered at or below the last one seen."""
        last = gaps.last_seq
        assert last is not None
        if seq >= gaps.first_seq and seq > last - self._window:
            if snapshot:
                return SeqVerdict(SeqKind.SNAPSHOT)
            if seq in gaps.outstanding:
                gaps.outstanding.discard(seq)
                gaps.missed -= 1
                return SeqVerdict(SeqKind.OUT_OF_ORDER, -1)
            return SeqVerdict(SeqKind.DUPLICATE)
        if seq == gaps.first_seq - 1 and seq > 1 and not snapshot:
            # The one just before the first seen, swapped with it; not a restart, which
            # numbers from 1 again. It was never counted missed: nothing to give back.
            gaps.first_seq = seq
            return SeqVerdict(SeqKind.OUT_OF_ORDER)
        return self._reset(gaps, seq)

    def _reset(self, gaps: SymbolGaps, seq: int) -> SeqVerdict:
        gaps.resets += 1
        gaps.last_seq = gaps.first_seq = seq
        gaps.outstanding.clear()
        return SeqVerdict(SeqKind.RESET)

    def _gap(self, gaps: SymbolGaps, seq: int) -> SeqVerdict:
        last = gaps.last_seq
        assert last is not None
        skipped = seq - last - 1
        remembered = range(max(last + 1, seq - self._window), seq)
        outstanding = gaps.outstanding
        if len(remembered) >= self._window:
            gaps.outstanding = set(remembered)
        else:
            outstanding.update(remembered)
            floor = seq - self._window
            if len(outstanding) > self._window or (outstanding and min(outstanding) <= floor):
                gaps.outstanding = {number for number in outstanding if number > floor}
        gaps.missed += skipped
        gaps.last_seq = seq
        return SeqVerdict(SeqKind.GAP, skipped)
