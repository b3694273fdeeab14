"""`--universe N`: made-up symbols with plausible names and prices, for scale tests."""

from __future__ import annotations

import re

import numpy as np
import pytest

from chrono_sim.datafiles.tape import Tape
from chrono_sim.market import MarketModel
from chrono_sim.market.universe import made_up_symbols, with_universe
from chrono_sim.protocol.catalog import DEFAULT_CATALOG


@pytest.fixture(scope="module")
def universe() -> tuple[str, ...]:
    return with_universe(DEFAULT_CATALOG, 300, seed=5).symbols[len(DEFAULT_CATALOG) :]


def test_the_universe_adds_exactly_n_symbols(universe: list[str]) -> None:
    assert len(universe) == 300


def test_made_up_symbols_are_unique_and_clash_with_no_real_one(universe: list[str]) -> None:
    tickers = [symbol.partition("/")[0] for symbol in universe]
    real = {symbol.partition("/")[0] for symbol in DEFAULT_CATALOG.symbols}
    assert len(set(tickers)) == len(tickers)
    assert not set(tickers) & real


def test_made_up_symbols_look_like_tickers(universe: list[str]) -> None:
    assert all(re.fullmatch(r"[A-Z]{3,5}/USD", symbol) for symbol in universe)


def test_the_same_seed_gives_the_same_universe() -> None:
    assert made_up_symbols(50, seed=9) == made_up_symbols(50, seed=9)
    assert made_up_symbols(50, seed=9) != made_up_symbols(50, seed=10)


def test_made_up_prices_span_realistic_ranges() -> None:
    specs = made_up_symbols(300, seed=5)
    prices = [spec.reference_price for spec in specs]
    assert min(prices) >= 1e-4
    assert max(prices) <= 500
    assert all(0.8 <= spec.annual_volatility <= 1.4 for spec in specs)
    assert all(2 <= len(spec.exchanges) <= 5 for spec in specs)


def test_the_model_quotes_made_up_symbols_like_real_ones() -> None:
    catalog = with_universe(DEFAULT_CATALOG, 20, seed=5)
    tape = Tape.concat(list(MarketModel(catalog, seed=1, interval=4.0, start_ms=0).run(600)))
    assert set(tape.symbol.tolist()) == set(range(len(catalog)))
    assert np.all(tape.price > 0)


def test_a_negative_universe_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        made_up_symbols(-1, seed=1)
