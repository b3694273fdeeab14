"""The market model: reproducible, independent per symbol, venues with their own cadence."""

from __future__ import annotations

import numpy as np
import pytest

from chrono_sim.datafiles.tape import Tape
from chrono_sim.market import CHUNK_SECONDS, MarketModel, MarketParams
from chrono_sim.market.model import chunk_seconds
from chrono_sim.market.params import EXCHANGE_WEIGHTS
from chrono_sim.protocol.catalog import DEFAULT_CATALOG, Catalog

START_MS = 1_760_000_000_000


def _tape(
    catalog: Catalog = DEFAULT_CATALOG,
    *,
    seed: int = 7,
    hours: float = 2.0,
    interval: float = 4.0,
) -> Tape:
    model = MarketModel(catalog, seed=seed, interval=interval, start_ms=START_MS)
    return Tape.concat(list(model.run(hours * 3600)))


def _rows(tape: Tape, symbol: str) -> Tape:
    return tape.take(tape.symbol == tape.symbols.index(symbol))


def _same(first: Tape, second: Tape) -> bool:
    return all(
        np.array_equal(getattr(first, name), getattr(second, name), equal_nan=name == "volume")
        for name in ("time_ms", "price", "volume")
    ) and [first.sources[i] for i in first.source] == [second.sources[i] for i in second.source]


@pytest.fixture(scope="module")
def two_hours() -> Tape:
    return _tape()


def test_the_same_seed_gives_the_same_market(two_hours: Tape) -> None:
    again = _tape()
    assert _same(two_hours, again)
    assert np.array_equal(two_hours.symbol, again.symbol)


def test_another_seed_gives_another_market(two_hours: Tape) -> None:
    assert not np.array_equal(two_hours.price[:100], _tape(seed=8).price[:100])


def test_adding_symbols_leaves_the_others_paths_alone(two_hours: Tape) -> None:
    just_two = Catalog([DEFAULT_CATALOG["BTC/USD"], DEFAULT_CATALOG["SOL/USD"]])
    alone = _tape(just_two)
    for symbol in just_two.symbols:
        assert _same(_rows(alone, symbol), _rows(two_hours, symbol))


def test_a_longer_run_begins_with_the_shorter_one(two_hours: Tape) -> None:
    shorter = _tape(hours=1.5)
    assert len(shorter) < len(two_hours)
    assert _same(shorter, two_hours.take(slice(0, len(shorter))))


def test_updates_are_in_time_order_across_chunk_boundaries(two_hours: Tape) -> None:
    assert CHUNK_SECONDS < 2 * 3600
    assert np.all(np.diff(two_hours.time_ms) >= 0)


def test_a_run_stops_at_its_duration() -> None:
    tape = _tape(hours=0.25)
    assert tape.time_ms[-1] < START_MS + 15 * 60_000
    assert tape.time_ms[-1] > START_MS + 14 * 60_000


def test_every_symbol_opens_with_a_quote_at_the_start(two_hours: Tape) -> None:
    opening = two_hours.take(two_hours.time_ms == START_MS)
    assert set(opening.symbol.tolist()) == set(range(len(DEFAULT_CATALOG)))


@pytest.mark.parametrize("interval", [1.0, 4.0, 10.0])
def test_quotes_of_a_symbol_arrive_every_interval_on_average(interval: float) -> None:
    btc = _rows(_tape(Catalog([DEFAULT_CATALOG["BTC/USD"]]), hours=6, interval=interval), "BTC/USD")
    mean_gap = np.diff(btc.time_ms).mean() / 1000
    assert mean_gap == pytest.approx(interval, rel=0.05)


def test_gaps_are_exponential_as_poisson_arrivals_have() -> None:
    btc = _rows(_tape(Catalog([DEFAULT_CATALOG["BTC/USD"]]), hours=6), "BTC/USD")
    gaps = np.diff(btc.time_ms) / 1000
    # For an exponential law the standard deviation equals the mean.
    assert gaps.std() == pytest.approx(gaps.mean(), rel=0.1)


def test_each_venue_quotes_at_its_own_share_of_the_cadence(two_hours: Tape) -> None:
    btc = _rows(two_hours, "BTC/USD")
    counts = {name: int(np.sum(btc.source == code)) for code, name in enumerate(btc.sources)}
    weights = {name: EXCHANGE_WEIGHTS[name] for name in DEFAULT_CATALOG["BTC/USD"].exchanges}
    total = sum(weights.values())
    for name, weight in weights.items():
        assert counts[name] / len(btc) == pytest.approx(weight / total, abs=0.03)


def test_venues_quote_only_the_symbols_they_list(two_hours: Tape) -> None:
    for spec in DEFAULT_CATALOG:
        rows = _rows(two_hours, spec.symbol)
        assert {rows.sources[code] for code in set(rows.source.tolist())} <= set(spec.exchanges)


def test_venues_stay_within_a_few_basis_points_of_each_other(two_hours: Tape) -> None:
    btc = _rows(two_hours, "BTC/USD")
    # Consecutive quotes less than 200 ms apart, from different venues.
    close = (np.diff(btc.time_ms) < 200) & (btc.source[1:] != btc.source[:-1])
    spread = np.abs(np.diff(np.log(btc.price)))[close]
    assert len(spread) > 20
    assert np.median(spread) < 5e-4


def test_volume_rises_with_the_size_of_the_move() -> None:
    btc = _rows(_tape(Catalog([DEFAULT_CATALOG["BTC/USD"]]), hours=12), "BTC/USD")
    venue = btc.source == btc.source[0]
    moves = np.abs(np.diff(np.log(btc.price[venue])))
    volume = btc.volume[venue][1:]
    big = moves > np.quantile(moves, 0.9)
    small = moves < np.quantile(moves, 0.5)
    assert np.median(volume[big]) > 2 * np.median(volume[small])


def test_volume_is_notional_of_a_realistic_size(two_hours: Tape) -> None:
    btc = _rows(two_hours, "BTC/USD")
    per_day = btc.volume.sum() / 2 * 24
    assert per_day == pytest.approx(DEFAULT_CATALOG["BTC/USD"].daily_volume, rel=0.5)


def test_prices_respect_each_symbols_decimals(two_hours: Tape) -> None:
    for spec in DEFAULT_CATALOG:
        prices = _rows(two_hours, spec.symbol).price
        assert np.array_equal(prices, np.round(prices, spec.decimals))


def test_prices_stay_positive_over_a_simulated_quarter() -> None:
    doge = Catalog([DEFAULT_CATALOG["DOGE/USD"]])  # the most volatile, the lowest priced
    model = MarketModel(doge, seed=3, interval=60.0, start_ms=START_MS)
    prices = np.concatenate([tape.price for tape in model.run(90 * 86_400)])
    assert np.all(np.isfinite(prices))
    assert np.all(prices > 0)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"garch_alpha": 0.5, "garch_beta": 0.5}, "below 1"),
        ({"garch_alpha": -0.1}, "non-negative"),
        ({"shock_dof": 2.0}, "degrees of freedom"),
        ({"basis_half_life": 2.0}, "half-life"),
    ],
)
def test_unstable_parameters_are_refused(settings: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        MarketParams(**settings)


@pytest.mark.parametrize(
    ("interval", "seconds"), [(4.0, 3600), (1.0, 3600), (0.1, 1980), (0.01, 180), (0.0001, 60)]
)
def test_frequent_quotes_are_made_in_shorter_chunks(interval: float, seconds: int) -> None:
    assert chunk_seconds(interval) == seconds


def test_a_run_at_a_tiny_interval_stays_small() -> None:
    model = MarketModel(Catalog([DEFAULT_CATALOG["BTC/USD"]]), seed=1, interval=0.001, start_ms=0)
    assert len(model.next_chunk()) < 100_000


def test_a_non_positive_interval_is_refused() -> None:
    with pytest.raises(ValueError, match="interval"):
        MarketModel(DEFAULT_CATALOG, seed=1, interval=0.0, start_ms=START_MS)
