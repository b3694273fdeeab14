"""How venues quote one symbol: Poisson arrivals, a mean-reverting basis, volume.

Each venue quotes at its own Poisson rate (its share of the symbol's
`1 / interval`), at the symbol's efficient price plus its own basis, an
Ornstein-Uhlenbeck process of a few basis points. Volume is the notional
traded on that venue since its previous quote: proportional to the time
elapsed and the current volatility, and larger after a larger move.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from chrono_sim.market.params import EXCHANGE_WEIGHTS, SECONDS_PER_DAY, MarketParams
from chrono_sim.market.path import SECONDS_PER_MINUTE, PathChunk
from chrono_sim.market.streams import QUOTES, symbol_stream
from chrono_sim.protocol.catalog import SymbolSpec

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BASIS_STEP = 10  # seconds between points of the basis grid; quotes interpolate between them
MAX_MOVE_SQUARED = 25.0  # a 5-sigma move at most quintuples a quote's volume


@dataclass(frozen=True, slots=True)
class QuoteColumns:
    """One chunk of one symbol's quotes, ordered by venue then time (the model merges)."""

    offset_ms: IntArray  # milliseconds since the chunk's start
    venue: IntArray  # index into the symbol's `exchanges`
    price: FloatArray
    volume: FloatArray


class SymbolQuoter:
    """Turns chunks of a symbol's efficient price into venue quotes."""

    def __init__(
        self,
        spec: SymbolSpec,
        seed: int,
        params: MarketParams,
        interval: float,
        mean_variance: float,
    ) -> None:
        self._rng = rng = symbol_stream(seed, spec.symbol, QUOTES)
        self._params = params
        self._decimals = spec.decimals
        self._tick = 10.0**-spec.decimals
        weights = np.array([EXCHANGE_WEIGHTS.get(name, 0.05) for name in spec.exchanges])
        self._share = weights / weights.sum()
        self._rates = self._share / interval
        self._notional_per_second = spec.daily_volume * self._share / SECONDS_PER_DAY
        self._mean_sigma = math.sqrt(mean_variance)
        self._basis_sd = params.basis_per_vol * spec.annual_volatility
        venues = len(spec.exchanges)
        self._basis = rng.standard_normal(venues) * self._basis_sd
        self._last_at = -1.0 / self._rates  # seconds before the chunk; as if one gap ago
        self._last_log: FloatArray | None = None
        self._opened = False

    def quote(self, path: PathChunk) -> QuoteColumns:
        rng = self._rng
        seconds = len(path.log_price) - 1
        counts = rng.poisson(self._rates * seconds)
        venue = np.repeat(np.arange(len(counts)), counts)
        offset_ms = np.floor(rng.uniform(0.0, seconds, len(venue)) * 1000.0).astype(np.int64)
        if not self._opened:  # the primary venue quotes at once: every symbol has a price
            self._opened = True
            venue = np.concatenate([[0], venue])
            offset_ms = np.concatenate([[0], offset_ms])
        order = np.lexsort((offset_ms, venue))
        venue, offset_ms = venue[order], offset_ms[order]
        at = offset_ms / 1000.0

        efficient = np.interp(at, np.arange(seconds + 1), path.log_price)
        log_quote = efficient + self._basis_at(venue, at, seconds)
        raw = np.exp(log_quote)
        price = np.maximum(np.round(raw, self._decimals), self._tick)
        volume = self._volume(venue, at, log_quote, path.minute_sigma, seconds)
        return QuoteColumns(offset_ms, venue, price, volume)

    def _basis_at(self, venue: IntArray, at: FloatArray, seconds: int) -> FloatArray:
        """Each venue's basis on a coarse grid (exact OU steps), read at the quote times."""
        steps = seconds // BASIS_STEP
        decay = math.exp(-math.log(2) * BASIS_STEP / self._params.basis_half_life)
        innovations = self._rng.standard_normal((len(self._basis), steps))
        innovations *= self._basis_sd * math.sqrt(1.0 - decay * decay)
        # b[j] = decay**j * (b[0] + sum_{i<=j} c[i] * decay**-i): the AR(1) in closed form.
        powers = decay ** np.arange(1, steps + 1)
        grid = np.empty((len(self._basis), steps + 1))
        grid[:, 0] = self._basis
        grid[:, 1:] = powers * (self._basis[:, None] + np.cumsum(innovations / powers, axis=1))
        self._basis = grid[:, -1].copy()
        position = at / BASIS_STEP
        cell = np.minimum(position.astype(np.int64), steps - 1)
        fraction = position - cell
        basis: FloatArray = grid[venue, cell] * (1.0 - fraction) + grid[venue, cell + 1] * fraction
        return basis

    def _volume(
        self,
        venue: IntArray,
        at: FloatArray,
        log_quote: FloatArray,
        minute_sigma: FloatArray,
        seconds: int,
    ) -> FloatArray:
        """Notional traded on each quote's venue since that venue's previous quote."""
        if self._last_log is None:
            self._last_log = np.full(len(self._rates), log_quote[0] if len(log_quote) else 0.0)
        # Rows are grouped by venue: the previous quote of a venue's first row is the carry.
        first = np.ones(len(venue), dtype=bool)
        first[1:] = venue[1:] != venue[:-1]
        previous_at = np.empty_like(at)
        previous_at[1:] = at[:-1]
        previous_log = np.empty_like(log_quote)
        previous_log[1:] = log_quote[:-1]
        previous_at[first] = self._last_at[venue[first]]
        previous_log[first] = self._last_log[venue[first]]
        gap = np.maximum(at - previous_at, 1e-3)

        minute = np.minimum((at // SECONDS_PER_MINUTE).astype(np.int64), len(minute_sigma) - 1)
        sigma = minute_sigma[minute]
        move = (log_quote - previous_log) / (sigma * np.sqrt(gap / SECONDS_PER_MINUTE))
        surprise_size = 0.5 + 0.5 * np.minimum(move * move, MAX_MOVE_SQUARED)  # mean 1
        activity = (sigma / self._mean_sigma) * surprise_size
        noise = self._params.volume_noise
        surprise = np.exp(noise * self._rng.standard_normal(len(venue)) - noise * noise / 2)
        volume: FloatArray = np.round(
            self._notional_per_second[venue] * gap * activity * surprise, 2
        )

        last = np.ones(len(venue), dtype=bool)
        last[:-1] = venue[:-1] != venue[1:]
        self._last_at = self._last_at - seconds
        self._last_at[venue[last]] = at[last] - seconds
        self._last_log[venue[last]] = log_quote[last]
        return volume
