"""The live synthetic market: `MarketModel` chunks played against the injectable clock.

The model works ahead a chunk (an hour of market) at a time; this source
hands its updates out as they fall due. Quotes carry the model's timestamps,
which start at the clock's wall time, so a live feed and `chrono generate`
with the same seed and start differ only in when the updates are sent.
"""

from __future__ import annotations

import math

from chrono_sim.datafiles.tape import Tape
from chrono_sim.market import MarketModel
from chrono_sim.protocol.catalog import Catalog
from chrono_sim.protocol.clock import Clock
from chrono_sim.protocol.quote import Quote

DEFAULT_INTERVAL = 4.0


class SyntheticSource:
    """Quotes every catalog symbol at Poisson times averaging `interval` seconds per symbol.

    Each symbol's opening quote is due at once, so a subscriber asking for a
    snapshot always gets one.
    """

    client_paced = False
    waits_for_subscriber = False

    def __init__(self, *, catalog: Catalog, clock: Clock, seed: int, interval: float) -> None:
        if not interval > 0:
            raise ValueError("interval must be positive")
        if not len(catalog):
            raise ValueError("a synthetic market needs at least one symbol")
        self._catalog = catalog
        self._start_ms = round(clock.time() * 1000)
        self._start_monotonic = clock.monotonic()
        self._model = MarketModel(catalog, seed=seed, interval=interval, start_ms=self._start_ms)
        self._tape = self._model.next_chunk()
        self._next = 0

    @property
    def catalog(self) -> Catalog:
        return self._catalog

    def next_due(self) -> float:
        return self._due(int(self._current().time_ms[self._next]))

    def pop_due(self, now: float) -> list[Quote]:
        due: list[Quote] = []
        # A millisecond past `now` as a first cut, then the exact test `next_due` makes:
        # float rounding must neither hold back a due update nor release an early one.
        horizon_ms = self._start_ms + math.floor((now - self._start_monotonic) * 1000) + 1
        while True:
            tape = self._current()
            end = int(tape.time_ms.searchsorted(horizon_ms, "right"))
            while end > self._next and self._due(int(tape.time_ms[end - 1])) > now:
                end -= 1
            if end <= self._next:
                return due
            due.extend(tape.take(slice(self._next, end)).quotes())
            self._next = end

    def _current(self) -> Tape:
        """The chunk holding the next update; chunks are never empty of future updates."""
        while self._next >= len(self._tape):
            self._tape = self._model.next_chunk()
            self._next = 0
        return self._tape

    def _due(self, time_ms: int) -> float:
        return self._start_monotonic + (time_ms - self._start_ms) / 1000
