"""The synthetic market shows the stylized facts of real crypto returns.

Each check would fail for a plain Gaussian random walk; the last tests prove
it, by running the same checks on the model with every realistic feature
switched off.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from chrono_sim.datafiles.tape import Tape
from chrono_sim.market import DEFAULT_PARAMS, MarketModel, MarketParams
from chrono_sim.protocol.catalog import DEFAULT_CATALOG, Catalog, SymbolSpec
from tests.support.stylized_facts import (
    annualised_volatility,
    autocorrelation,
    correlation,
    excess_kurtosis,
    minute_returns,
)

SYMBOLS = ("BTC/USD", "ETH/USD", "SOL/USD", "DOGE/USD")
DAYS = 3
START_MS = 1_760_000_000_000
# A walk with constant volatility, Gaussian shocks, no jumps (the control).
GAUSSIAN = MarketParams(
    garch_alpha=0.0,
    garch_beta=0.0,
    shock_dof=1e9,
    market_jumps_per_day=0.0,
    own_jumps_per_day=0.0,
)


def _run(catalog: Catalog, params: MarketParams = DEFAULT_PARAMS) -> Tape:
    model = MarketModel(catalog, seed=42, interval=4.0, start_ms=START_MS, params=params)
    return Tape.concat(list(model.run(DAYS * 86_400)))


@pytest.fixture(scope="module")
def market() -> Tape:
    """Three days of four symbols: 4,320 one-minute returns each."""
    return _run(Catalog(DEFAULT_CATALOG[symbol] for symbol in SYMBOLS))


@pytest.fixture(scope="module")
def gaussian_walk() -> Tape:
    independent = (
        SymbolSpec(**{**_fields(DEFAULT_CATALOG[symbol]), "market_correlation": 0.0})
        for symbol in SYMBOLS
    )
    return _run(Catalog(independent), GAUSSIAN)


def _fields(spec: SymbolSpec) -> dict[str, Any]:
    return {name: getattr(spec, name) for name in SymbolSpec.__slots__}


# --- the market --------------------------------------------------------------


@pytest.mark.parametrize("symbol", SYMBOLS)
def test_one_minute_returns_have_fat_tails(market: Tape, symbol: str) -> None:
    assert excess_kurtosis(minute_returns(market, symbol)) > 1.0


@pytest.mark.parametrize("symbol", SYMBOLS)
@pytest.mark.parametrize("lag", [1, 2, 3, 4, 5])
def test_returns_are_not_autocorrelated(market: Tape, symbol: str, lag: int) -> None:
    assert abs(autocorrelation(minute_returns(market, symbol), lag)) < 0.1


@pytest.mark.parametrize("symbol", SYMBOLS)
def test_absolute_returns_are_autocorrelated_volatility_clusters(market: Tape, symbol: str) -> None:
    magnitude = np.abs(minute_returns(market, symbol))
    assert np.mean([autocorrelation(magnitude, lag) for lag in range(1, 11)]) > 0.05


def test_btc_and_eth_move_together_strongly(market: Tape) -> None:
    btc, eth = minute_returns(market, "BTC/USD"), minute_returns(market, "ETH/USD")
    assert 0.6 <= correlation(btc, eth) <= 0.9


@pytest.mark.parametrize("alt", ["SOL/USD", "DOGE/USD"])
def test_alts_follow_btc_more_loosely_than_eth_does(market: Tape, alt: str) -> None:
    btc = minute_returns(market, "BTC/USD")
    with_alt = correlation(btc, minute_returns(market, alt))
    assert 0.3 <= with_alt < correlation(btc, minute_returns(market, "ETH/USD"))


@pytest.mark.parametrize("symbol", SYMBOLS)
def test_realised_volatility_is_near_the_catalogs(market: Tape, symbol: str) -> None:
    target = DEFAULT_CATALOG[symbol].annual_volatility
    realised = annualised_volatility(minute_returns(market, symbol))
    assert 0.6 * target <= realised <= 1.6 * target


# --- the control: the same checks reject a Gaussian walk ---------------------


def test_a_gaussian_walk_has_no_fat_tails(gaussian_walk: Tape) -> None:
    assert excess_kurtosis(minute_returns(gaussian_walk, "BTC/USD")) < 1.0


def test_a_gaussian_walk_has_no_volatility_clusters(gaussian_walk: Tape) -> None:
    magnitude = np.abs(minute_returns(gaussian_walk, "BTC/USD"))
    assert np.mean([autocorrelation(magnitude, lag) for lag in range(1, 11)]) < 0.05


def test_independent_gaussian_walks_are_uncorrelated(gaussian_walk: Tape) -> None:
    btc = minute_returns(gaussian_walk, "BTC/USD")
    assert abs(correlation(btc, minute_returns(gaussian_walk, "ETH/USD"))) < 0.1
