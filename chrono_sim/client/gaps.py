"""Counting the updates a client missed, from each symbol's `seq`."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class SymbolGaps:
    last_seq: int | None = None
    missed: int = 0
    resets: int = 0


class SeqTracker:
    """Per-symbol `seq` bookkeeping that survives reconnects.

    A jump forward counts the skipped numbers as missed. A `seq` that does not
    move forward (the server restarted and numbers from 1 again, or a snapshot
    repeats the last update) is not a loss: it restarts the count instead.
    """

    def __init__(self) -> None:
        self._symbols: dict[str, SymbolGaps] = {}

    def observe(self, symbol: str, seq: int) -> int:
        """Record an update; return how many updates of `symbol` were missed just before it."""
        gaps = self._symbols.setdefault(symbol, SymbolGaps())
        missed = 0
        if gaps.last_seq is not None:
            if seq > gaps.last_seq:
                missed = seq - gaps.last_seq - 1
            elif seq < gaps.last_seq:
                gaps.resets += 1
        gaps.missed += missed
        gaps.last_seq = seq
        return missed

    def missed(self, symbol: str) -> int:
        gaps = self._symbols.get(symbol)
        return gaps.missed if gaps else 0

    @property
    def total_missed(self) -> int:
        return sum(gaps.missed for gaps in self._symbols.values())
