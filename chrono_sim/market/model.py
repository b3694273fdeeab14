"""`MarketModel`: the whole synthetic market, produced as time-ordered `Tape` chunks.

The model is pure: no clock, no I/O. It steps in fixed chunks of market time
(a constant, so a longer run starts with exactly the shorter run's updates),
and each chunk is one vectorised pass per symbol, which is what lets
`chrono generate` write hundreds of thousands of updates a second.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from chrono_sim.datafiles.tape import Tape
from chrono_sim.market.params import DEFAULT_PARAMS, MarketParams
from chrono_sim.market.path import MarketFactor, SymbolPath
from chrono_sim.market.quotes import SymbolQuoter
from chrono_sim.protocol.catalog import EXCHANGES, Catalog

# An hour: long enough that numpy's per-call overhead is small against the work...
CHUNK_SECONDS = 3600
# ...unless quotes are so frequent that an hour of them would be too much memory at once.
MAX_QUOTES_PER_SYMBOL_CHUNK = 20_000
MIN_CHUNK_SECONDS = 60


def chunk_seconds(interval: float) -> int:
    """Market time the model steps at once: whole minutes, fixed by the interval alone.

    It depends on nothing else (not the catalog's size), so adding a symbol still
    leaves the other symbols' random draws, and so their paths, unchanged.
    """
    fitting = int(MAX_QUOTES_PER_SYMBOL_CHUNK * interval) // 60 * 60
    return max(MIN_CHUNK_SECONDS, min(CHUNK_SECONDS, fitting))


class MarketModel:
    """Every catalog symbol quoted by its venues, from `start_ms` (epoch ms) onwards.

    `interval` is the mean number of seconds between two quotes of one symbol,
    all its venues together. The same `seed` always gives the same market.
    """

    def __init__(
        self,
        catalog: Catalog,
        *,
        seed: int,
        interval: float,
        start_ms: int,
        params: MarketParams = DEFAULT_PARAMS,
    ) -> None:
        if not interval > 0:
            raise ValueError("interval must be positive")
        self.catalog = catalog
        self.start_ms = start_ms
        venues = list(EXCHANGES)
        venues += sorted({name for spec in catalog for name in spec.exchanges} - set(EXCHANGES))
        self._sources = tuple(venues)
        self._venue_codes = [
            np.array([venues.index(name) for name in spec.exchanges], np.int32) for spec in catalog
        ]
        self.chunk_seconds = chunk_seconds(interval)
        self._factor = MarketFactor(seed, params, self.chunk_seconds)
        self._paths = [SymbolPath(spec, seed, params) for spec in catalog]
        self._quoters = [
            SymbolQuoter(spec, seed, params, interval, path.mean_variance)
            for spec, path in zip(catalog, self._paths, strict=True)
        ]
        self._chunk = 0

    def next_chunk(self) -> Tape:
        """The next `chunk_seconds` of market, in time order (ties: catalog, then venue order)."""
        chunk_start = self.start_ms + self._chunk * self.chunk_seconds * 1000
        self._chunk += 1
        factor = self._factor.next_chunk()
        parts = [
            quoter.quote(path.advance(factor))
            for path, quoter in zip(self._paths, self._quoters, strict=True)
        ]
        offset_ms = np.concatenate([part.offset_ms for part in parts])
        order = np.argsort(offset_ms, kind="stable")
        sizes = [len(part.offset_ms) for part in parts]
        symbol = np.repeat(np.arange(len(parts), dtype=np.int32), sizes)
        source = np.concatenate(
            [codes[part.venue] for codes, part in zip(self._venue_codes, parts, strict=True)]
        )
        return Tape(
            self.catalog.symbols,
            self._sources,
            offset_ms[order] + chunk_start,
            symbol[order],
            source[order],
            np.concatenate([part.price for part in parts])[order],
            np.concatenate([part.volume for part in parts])[order],
        )

    def run(self, duration: float) -> Iterator[Tape]:
        """Chunks covering `duration` seconds from the start; the last one is cut to fit."""
        end_ms = self.start_ms + round(duration * 1000)
        while self.start_ms + self._chunk * self.chunk_seconds * 1000 < end_ms:
            yield self.next_chunk().window(stop_ms=end_ms)
