"""A `Catalog` read off a `Tape`, so a replay offers exactly the symbols its file holds.

Only `symbol`, `exchanges` and `reference_price` are facts of the file; the
other figures are estimates, good enough for `/docs` and for a generator to
continue the market in the same spirit:

- `decimals`: the most decimal places any price of the symbol has, at most
  `MAX_DECIMALS` (a computed price such as 1/3 would otherwise claim 17).
- `annual_volatility`: realized volatility of log returns sampled every
  `VOLATILITY_SAMPLE_SECONDS` (coarse sampling keeps bid/ask bounce and the
  spread between exchanges from passing for volatility); from every update
  when the tape is too short for `MIN_VOLATILITY_SAMPLES` such returns;
  `DEFAULT_VOLATILITY` with fewer than three updates or no time between them.
- `daily_volume`: the recorded volumes summed and scaled to 24 hours, since a
  `volume` is the notional traded on its venue since that venue's previous
  quote (as `chrono generate` writes it); their sum when the tape has no
  span, and 0.0 when the file records none.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from chrono_sim.datafiles.tape import FloatArray, Int64Array, Tape
from chrono_sim.protocol.catalog import Catalog, SymbolSpec

MAX_DECIMALS = 8
DEFAULT_VOLATILITY = 0.8  # a typical crypto pair's annual volatility
VOLATILITY_SAMPLE_SECONDS = 300.0
MIN_VOLATILITY_SAMPLES = 24  # fewer coarse returns would be noisier than the tick noise
SECONDS_PER_DAY = 24 * 3600
SECONDS_PER_YEAR = 365.25 * SECONDS_PER_DAY


def catalog_from_tape(tape: Tape) -> Catalog:
    """The symbols that appear in `tape`, in order of first appearance.

    Raises `ConfigError` when two symbols differ only in case (the catalog is
    case-insensitive).
    """
    decimals = price_decimals(tape.price)
    specs = []
    for code in _in_order_of_appearance(tape.symbol):
        rows = np.flatnonzero(tape.symbol == code)
        prices = tape.price[rows]
        times = tape.time_ms[rows]
        specs.append(
            SymbolSpec(
                symbol=tape.symbols[code],
                reference_price=float(prices[0]),
                decimals=int(decimals[rows].max()),
                annual_volatility=annual_volatility(times, prices),
                daily_volume=daily_volume(times, tape.volume[rows]),
                exchanges=tuple(
                    tape.sources[s] for s in _in_order_of_appearance(tape.source[rows])
                ),
            )
        )
    return Catalog(specs)


def price_decimals(prices: FloatArray) -> NDArray[np.int64]:
    """Decimal places of each price as written (95000.1 -> 1), at most `MAX_DECIMALS`."""
    places = np.full(len(prices), MAX_DECIMALS, dtype=np.int64)
    # Fewest places last, so each price ends with the smallest count that writes it exactly.
    # rint(p * 10**d) / 10**d gives back exactly the double nearest a d-place decimal.
    for d in range(MAX_DECIMALS, -1, -1):
        scale = 10.0**d
        places[np.rint(prices * scale) / scale == prices] = d
    return places


def annual_volatility(time_ms: Int64Array, prices: FloatArray) -> float:
    """Annualised realized volatility of one symbol's prices (see the module docstring)."""
    if len(prices) < 3:
        return DEFAULT_VOLATILITY
    seconds = (time_ms - time_ms[0]) / 1000.0
    elapsed = float(seconds[-1])
    if elapsed <= 0:
        return DEFAULT_VOLATILITY
    grid = np.arange(0.0, elapsed, VOLATILITY_SAMPLE_SECONDS)
    if len(grid) > MIN_VOLATILITY_SAMPLES:
        # The last price at or before each grid instant.
        picked = np.searchsorted(seconds, grid, side="right") - 1
        prices, elapsed = prices[picked], float(grid[-1])
    returns = np.diff(np.log(prices))
    return math.sqrt(float(np.dot(returns, returns)) / elapsed * SECONDS_PER_YEAR)


def daily_volume(time_ms: Int64Array, volumes: FloatArray) -> float:
    """Notional a day at the rate the volumes record (see the module docstring)."""
    total = float(np.nansum(volumes))
    span = float(time_ms[-1] - time_ms[0]) / 1000.0 if len(time_ms) else 0.0
    return total * SECONDS_PER_DAY / span if span > 0 else total


def _in_order_of_appearance(codes: NDArray[np.int32]) -> list[int]:
    unique, first = np.unique(codes, return_index=True)
    return [int(code) for code in unique[np.argsort(first)]]
