"""A seeded random walk per symbol, quoted by several exchanges.

Each symbol has its own random stream derived from (seed, symbol), so the same
seed replays the same market and adding a symbol leaves the others' paths
alone. Log-price steps scale with the symbol's annual volatility and the time
since its last quote, so prices stay positive whatever the horizon. The
richer market models (volatility clustering, jumps, correlation) are a later
source behind the same interface.
"""

from __future__ import annotations

import hashlib
import heapq
import math
import random

from chrono_sim.catalog import Catalog, SymbolSpec
from chrono_sim.clock import Clock
from chrono_sim.sources.base import Quote

SECONDS_PER_YEAR = 365.25 * 24 * 3600
# Gaps between two quotes of one symbol are Gamma(4, interval/4): mean `interval`,
# and with the default 4 s nearly all of them fall in the document's "1-10 seconds".
GAP_SHAPE = 4.0
DEFAULT_INTERVAL = 4.0
BASIS_SPREAD = 3e-4  # exchanges quote within a few basis points of each other
TICK_NOISE = 1e-4


def symbol_rng(seed: int, symbol: str) -> random.Random:
    """The random stream of one symbol; independent of every other symbol's."""
    digest = hashlib.sha256(f"{seed}:{symbol}".encode()).digest()
    return random.Random(int.from_bytes(digest[:16], "big"))


class _Walk:
    __slots__ = ("_basis", "_interval", "_log_price", "_rng", "_spec", "_step_scale", "_tick")

    def __init__(self, spec: SymbolSpec, rng: random.Random, interval: float) -> None:
        self._spec = spec
        self._rng = rng
        self._interval = interval
        self._log_price = math.log(spec.reference_price)
        self._step_scale = spec.annual_volatility / math.sqrt(SECONDS_PER_YEAR)
        self._basis = {name: rng.uniform(-BASIS_SPREAD, BASIS_SPREAD) for name in spec.exchanges}
        self._tick = 10.0**-spec.decimals

    def gap(self) -> float:
        return self._rng.gammavariate(GAP_SHAPE, self._interval / GAP_SHAPE)

    def quote(self, elapsed: float, at: float) -> Quote:
        rng = self._rng
        self._log_price += self._step_scale * math.sqrt(elapsed) * rng.gauss()
        exchange = rng.choice(self._spec.exchanges)
        raw = math.exp(self._log_price + self._basis[exchange] + TICK_NOISE * rng.gauss())
        # Rounding to the tick may not take a price to zero: one tick is the floor.
        price = max(round(raw, self._spec.decimals), self._tick)
        volume = round(self._spec.daily_volume * rng.lognormvariate(0.0, 0.1), 2)
        return Quote(self._spec.symbol, price, volume, exchange, at)


class SyntheticSource:
    """Quotes every catalog symbol at random intervals averaging `interval` seconds.

    Each symbol's opening quote is due at once, so a subscriber asking for a
    snapshot always gets one.
    """

    def __init__(self, *, catalog: Catalog, clock: Clock, seed: int, interval: float) -> None:
        if not interval > 0:
            raise ValueError("interval must be positive")
        self._catalog = catalog
        self._clock = clock
        now = clock.monotonic()
        self._walks = [_Walk(spec, symbol_rng(seed, spec.symbol), interval) for spec in catalog]
        self._last: list[float] = [now] * len(self._walks)
        self._queue: list[tuple[float, int]] = [(now, index) for index in range(len(self._walks))]
        heapq.heapify(self._queue)

    @property
    def catalog(self) -> Catalog:
        return self._catalog

    def next_due(self) -> float | None:
        return self._queue[0][0] if self._queue else None

    def pop_due(self, now: float) -> list[Quote]:
        wall_now = self._clock.time()
        due: list[Quote] = []
        while self._queue and self._queue[0][0] <= now:
            at, index = heapq.heappop(self._queue)
            walk = self._walks[index]
            due.append(walk.quote(at - self._last[index], wall_now - (now - at)))
            self._last[index] = at
            heapq.heappush(self._queue, (at + walk.gap(), index))
        return due
