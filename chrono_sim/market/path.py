"""The efficient (venue-free) price of each symbol on a one-second grid, chunk by chunk.

Minute by minute, volatility follows a GARCH(1,1): a large move, or a jump,
raises the next minutes' variance, which then decays back to the symbol's
long-run level. Each minute's return is a Student-t shock, part shared with
the whole market (the symbol's `market_correlation`) and part its own; a
Brownian bridge spreads it over the minute's 60 seconds, so the path is
continuous at one-second resolution while its minute returns keep their fat
tails exactly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from chrono_sim.market.params import MINUTES_PER_YEAR, MarketParams
from chrono_sim.market.streams import PATH, market_stream, symbol_stream
from chrono_sim.protocol.catalog import SymbolSpec

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
SECONDS_PER_MINUTE = 60
DAYS_PER_YEAR = 365.25
CAPPED_SHOCK_SQUARED = 16.0  # at most a 4-sigma surprise feeds the next minute's variance


def standard_t(rng: np.random.Generator, dof: float, size: int) -> FloatArray:
    """Student-t draws scaled to unit variance."""
    return rng.standard_t(dof, size) * math.sqrt((dof - 2) / dof)


@dataclass(frozen=True, slots=True)
class Shocks:
    """One chunk of random shocks: per-minute moves, in-minute noise and jumps."""

    minutes: FloatArray  # (minutes,) unit-variance Student-t
    seconds: FloatArray  # (minutes, 60) standard normal, for the bridge inside each minute
    jump_at: IntArray  # second of each jump within the chunk
    jump_size: FloatArray  # standard normal; scaled per symbol

    @classmethod
    def draw(
        cls, rng: np.random.Generator, params: MarketParams, seconds: int, jumps_per_day: float
    ) -> Shocks:
        minutes = seconds // SECONDS_PER_MINUTE
        shocks = standard_t(rng, params.shock_dof, minutes)
        noise = rng.standard_normal((minutes, SECONDS_PER_MINUTE))
        count = int(rng.poisson(jumps_per_day * seconds / 86_400))
        return cls(shocks, noise, rng.integers(0, seconds, count), rng.standard_normal(count))


class MarketFactor:
    """The shocks every symbol shares in proportion to its market correlation."""

    def __init__(self, seed: int, params: MarketParams, chunk_seconds: int) -> None:
        self._rng = market_stream(seed)
        self._params = params
        self._chunk_seconds = chunk_seconds

    def next_chunk(self) -> Shocks:
        params = self._params
        return Shocks.draw(self._rng, params, self._chunk_seconds, params.market_jumps_per_day)


@dataclass(frozen=True, slots=True)
class PathChunk:
    """A chunk of one symbol's efficient log price: `log_price[i]` at second `i` (i = 0..n)."""

    log_price: FloatArray  # (seconds + 1,)
    minute_sigma: FloatArray  # (minutes,) standard deviation of each minute's return


class SymbolPath:
    """One symbol's efficient price, advanced a chunk at a time against the shared factor."""

    def __init__(self, spec: SymbolSpec, seed: int, params: MarketParams) -> None:
        self._rng = symbol_stream(seed, spec.symbol, PATH)
        self._params = params
        self._shared = spec.market_correlation
        self._own = math.sqrt(1.0 - spec.market_correlation**2)
        self.mean_variance = spec.annual_volatility**2 / MINUTES_PER_YEAR
        self._omega = self.mean_variance * (1.0 - params.garch_alpha - params.garch_beta)
        self._max_variance = self.mean_variance * params.max_variance_ratio
        self._variance = self.mean_variance
        self._jump_scale = (
            params.jump_size_daily_vols * spec.annual_volatility / math.sqrt(DAYS_PER_YEAR)
        )
        self.log_price = math.log(spec.reference_price)

    def advance(self, factor: Shocks) -> PathChunk:
        """The next chunk, as long as the factor's; the factor must be the same for every symbol."""
        params = self._params
        minutes = len(factor.minutes)
        seconds = minutes * SECONDS_PER_MINUTE
        own = Shocks.draw(self._rng, params, seconds, params.own_jumps_per_day)
        shocks = self._shared * factor.minutes + self._own * own.minutes
        noise = self._shared * factor.seconds + self._own * own.seconds
        bridge = (noise - noise.mean(axis=1, keepdims=True)) / math.sqrt(SECONDS_PER_MINUTE)

        jumps = np.zeros(seconds)
        np.add.at(jumps, factor.jump_at, self._shared * self._jump_scale * factor.jump_size)
        np.add.at(jumps, own.jump_at, self._jump_scale * own.jump_size)
        minute_jumps = jumps.reshape(minutes, SECONDS_PER_MINUTE).sum(axis=1)

        sigma = self._garch(shocks, minute_jumps)
        steps = sigma[:, None] * (shocks[:, None] / SECONDS_PER_MINUTE + bridge)
        log_price = np.empty(seconds + 1)
        log_price[0] = self.log_price
        np.cumsum(steps.ravel() + jumps, out=log_price[1:])
        log_price[1:] += self.log_price
        self.log_price = float(log_price[-1])
        return PathChunk(log_price, sigma)

    def _garch(self, shocks: FloatArray, minute_jumps: FloatArray) -> FloatArray:
        """Each minute's volatility; a minute's move and jumps feed the next one's variance."""
        alpha, beta = self._params.garch_alpha, self._params.garch_beta
        variance = self._variance
        sigma = np.empty(len(shocks))
        # A short scalar loop (one step a minute): the recursion cannot be vectorised.
        pairs = zip(shocks.tolist(), minute_jumps.tolist(), strict=True)
        for minute, (shock, jump) in enumerate(pairs):
            root = math.sqrt(variance)
            sigma[minute] = root
            move = root * shock + jump
            # A jump lifts volatility like a large shock, not like its full size squared:
            # uncapped, one 3 % gap in BTC would multiply its variance a hundredfold.
            news = min(move * move, CAPPED_SHOCK_SQUARED * variance)
            variance = min(self._omega + alpha * news + beta * variance, self._max_variance)
        self._variance = variance
        return sigma
