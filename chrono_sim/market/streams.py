"""Independent, reproducible random streams: one for the market, two per symbol.

Streams come from numpy `SeedSequence`s keyed by (seed, name), so the same
seed replays the same market, and adding or removing a symbol leaves every
other symbol's path untouched. Each symbol has a path stream (its efficient
price) and a quote stream (arrivals, venue basis, volume): changing the quote
cadence does not change where the price goes.
"""

from __future__ import annotations

import hashlib

import numpy as np

PATH, QUOTES = 0, 1


def _name_key(name: str) -> int:
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big")


def market_stream(seed: int) -> np.random.Generator:
    """The market factor's stream: shared shocks and market-wide jumps."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(_name_key("market"),)))


def symbol_stream(seed: int, symbol: str, purpose: int) -> np.random.Generator:
    """One of a symbol's streams (`PATH` or `QUOTES`), independent of all others."""
    key = (_name_key(f"symbol:{symbol}"), purpose)
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=key))
