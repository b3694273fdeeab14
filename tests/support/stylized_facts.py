"""Statistics that tell a market from a random walk, computed the way an analyst would."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from chrono_sim.datafiles.tape import Tape

FloatArray = NDArray[np.float64]
MINUTES_PER_YEAR = 365.25 * 24 * 60


def minute_returns(tape: Tape, symbol: str) -> FloatArray:
    """Log returns between the last quotes of consecutive minutes, from any venue."""
    rows = tape.symbol == tape.symbols.index(symbol)
    minute = (tape.time_ms[rows] - tape.time_ms[0]) // 60_000
    last_of_minute = np.append(minute[1:] != minute[:-1], True)
    closes = np.full(int(minute[-1]) + 1, np.nan)
    closes[minute[last_of_minute]] = np.log(tape.price[rows][last_of_minute])
    # A minute without a quote keeps the previous close (a zero return), as a chart would.
    filled = np.where(np.isnan(closes), 0, np.arange(len(closes)))
    closes = closes[np.maximum.accumulate(filled)]
    return np.diff(closes)


def excess_kurtosis(values: FloatArray) -> float:
    centred = values - values.mean()
    return float(np.mean(centred**4) / np.mean(centred**2) ** 2 - 3.0)


def autocorrelation(values: FloatArray, lag: int) -> float:
    centred = values - values.mean()
    return float(np.dot(centred[:-lag], centred[lag:]) / np.dot(centred, centred))


def correlation(first: FloatArray, second: FloatArray) -> float:
    size = min(len(first), len(second))
    return float(np.corrcoef(first[:size], second[:size])[0, 1])


def annualised_volatility(returns: FloatArray) -> float:
    return float(returns.std() * np.sqrt(MINUTES_PER_YEAR))
