"""A price source on a fixed, shared schedule, so clients can tell how late each update is.

Update `n` of the whole feed (counting from 0) is due at `start + n / rate`
and belongs to symbol `n % len(symbols)`; so a symbol's `seq`-th update,
as the hub numbers it, was due at a time any client can compute. Latency is
then measured from the moment an update was due to be generated to the
moment a client received it, with no clock but the machine's shared wall
clock and nothing added to the protocol's messages.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from chrono_sim.protocol.catalog import Catalog
from chrono_sim.protocol.clock import Clock
from chrono_sim.protocol.quote import Quote


@dataclass(frozen=True, slots=True)
class Schedule:
    """When each update of a metronome feed is due, in wall-clock (epoch) seconds."""

    start: float
    updates_per_second: float  # all symbols together
    symbols: tuple[str, ...]

    def at(self, n: int) -> float:
        """When update `n` of the whole feed (from 0) is due."""
        return self.start + n / self.updates_per_second

    def due(self, symbol_index: int, seq: int) -> float:
        """When the `seq`-th update (from 1) of the `symbol_index`-th symbol was due."""
        return self.at((seq - 1) * len(self.symbols) + symbol_index)


class MetronomeSource:
    """A `PriceSource` publishing `schedule` exactly; prices wander within 1% of reference."""

    client_paced = False
    waits_for_subscriber = False

    def __init__(self, catalog: Catalog, schedule: Schedule, clock: Clock) -> None:
        self.catalog = catalog.select(schedule.symbols)
        self._schedule = schedule
        self._specs = [self.catalog[symbol] for symbol in schedule.symbols]
        # The schedule is in wall-clock time; the feed waits on the monotonic clock.
        self._offset = clock.monotonic() - clock.time()
        self._next = 0

    def next_due(self) -> float:
        return self._schedule.at(self._next) + self._offset

    def pop_due(self, now: float) -> list[Quote]:
        quotes = []
        width = len(self._specs)
        while (due := self._schedule.at(self._next)) + self._offset <= now:
            n = self._next
            spec = self._specs[n % width]
            price = spec.reference_price * (1 + 0.01 * math.sin(n / 997))
            quotes.append(Quote(spec.symbol, price, 1.0, spec.exchanges[0], due))
            self._next += 1
        return quotes
