"""Price sources: the contract every source keeps, and the synthetic market's properties."""

from __future__ import annotations

import itertools
import math
import random
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from chrono_sim.protocol.catalog import DEFAULT_CATALOG, Catalog
from chrono_sim.protocol.clock import ManualClock
from chrono_sim.protocol.quote import Quote
from chrono_sim.sources import PriceSource, ScriptedSource, SyntheticSource
from chrono_sim.sources.synthetic import DEFAULT_INTERVAL

SourceFactory = Callable[[ManualClock], PriceSource]


def _synthetic(clock: ManualClock) -> PriceSource:
    return SyntheticSource(catalog=DEFAULT_CATALOG, clock=clock, seed=7, interval=DEFAULT_INTERVAL)


def _scripted(clock: ManualClock) -> PriceSource:
    """Five symbols, fifty quotes each at random gaps, given out of order, some due together."""
    rng = random.Random(3)
    start = clock.monotonic()
    script: list[tuple[float, Quote]] = []
    for symbol in DEFAULT_CATALOG.symbols[:5]:
        spec = DEFAULT_CATALOG[symbol]
        due = start
        for n in range(50):
            volume = None if n % 7 == 0 else rng.uniform(0.0, spec.daily_volume)
            price = spec.reference_price * rng.uniform(0.9, 1.1)
            at = clock.time() + (due - start)
            script.append((due, Quote(symbol, price, volume, rng.choice(spec.exchanges), at)))
            due += rng.choice([0.0, rng.uniform(0.1, 10.0)])
    rng.shuffle(script)
    return ScriptedSource(DEFAULT_CATALOG, script)


@pytest.fixture(params=[_synthetic, _scripted], ids=["synthetic", "scripted"])
def make_source(request: pytest.FixtureRequest) -> SourceFactory:
    factory: SourceFactory = request.param
    return factory


@dataclass(frozen=True)
class Step:
    now: float
    due_before: float | None
    quotes: list[Quote]
    due_after: float | None


def _drive(
    source: PriceSource, clock: ManualClock, *, seconds: float, step: float
) -> Iterator[Step]:
    """Advance the clock in fixed steps, collecting what is due at each one."""
    end = clock.monotonic() + seconds
    while clock.monotonic() < end:
        now = clock.monotonic()
        due_before = source.next_due()
        quotes = source.pop_due(now)
        yield Step(now, due_before, quotes, source.next_due())
        clock.advance(step)


def _contract_run(make_source: SourceFactory) -> list[Step]:
    clock = ManualClock(start_monotonic=1000.0)
    return list(_drive(make_source(clock), clock, seconds=600.0, step=0.37))


def _quotes(steps: list[Step]) -> list[Quote]:
    return [quote for step in steps for quote in step.quotes]


# --- the contract of every source --------------------------------------------


def test_contract_run_produces_quotes(make_source: SourceFactory) -> None:
    assert len(_quotes(_contract_run(make_source))) >= 100


def test_next_due_never_decreases(make_source: SourceFactory) -> None:
    dues = [step.due_after for step in _contract_run(make_source) if step.due_after is not None]

    assert dues == sorted(dues)


def test_nothing_is_returned_before_it_is_due(make_source: SourceFactory) -> None:
    early = [
        step
        for step in _contract_run(make_source)
        if step.due_before is None or step.due_before > step.now
    ]

    assert early
    assert all(step.quotes == [] for step in early)


def test_something_is_returned_once_the_next_quote_is_due(make_source: SourceFactory) -> None:
    due = [
        step
        for step in _contract_run(make_source)
        if step.due_before is not None and step.due_before <= step.now
    ]

    assert due
    assert all(step.quotes for step in due)


def test_everything_due_is_returned_at_once(make_source: SourceFactory) -> None:
    """After `pop_due(now)` nothing due at or before `now` is left behind."""
    steps = _contract_run(make_source)

    assert all(step.due_after is None or step.due_after > step.now for step in steps)


def test_quotes_are_only_for_catalog_symbols(make_source: SourceFactory) -> None:
    clock = ManualClock()
    source = make_source(clock)
    quotes = _quotes(list(_drive(source, clock, seconds=600.0, step=0.37)))

    assert {quote.symbol for quote in quotes} <= set(source.catalog.symbols)


def test_every_price_is_finite_and_positive(make_source: SourceFactory) -> None:
    quotes = _quotes(_contract_run(make_source))

    assert all(math.isfinite(quote.price) and quote.price > 0 for quote in quotes)


def test_every_volume_is_finite_and_not_negative_or_absent(make_source: SourceFactory) -> None:
    quotes = _quotes(_contract_run(make_source))

    assert all(
        quote.volume is None or (math.isfinite(quote.volume) and quote.volume >= 0)
        for quote in quotes
    )


# --- Quote -------------------------------------------------------------------


@pytest.mark.parametrize("price", [0.0, -1.0, -0.0, float("nan"), float("inf"), float("-inf")])
def test_quote_rejects_a_price_that_is_not_finite_and_positive(price: float) -> None:
    with pytest.raises(ValueError, match="price"):
        Quote("BTC/USD", price, 1.0, "kraken", 0.0)


@pytest.mark.parametrize("volume", [-1.0, float("nan"), float("inf")])
def test_quote_rejects_a_volume_that_is_not_finite_and_non_negative(volume: float) -> None:
    with pytest.raises(ValueError, match="volume"):
        Quote("BTC/USD", 1.0, volume, "kraken", 0.0)


@pytest.mark.parametrize("volume", [None, 0.0, 1234567.89])
def test_quote_accepts_a_zero_positive_or_absent_volume(volume: float | None) -> None:
    assert Quote("BTC/USD", 45123.5, volume, "kraken", 0.0).volume == volume


# --- ScriptedSource ----------------------------------------------------------


def test_scripted_source_plays_quotes_in_due_order() -> None:
    late = Quote("BTC/USD", 2.0, None, "kraken", 2.0)
    early = Quote("BTC/USD", 1.0, None, "kraken", 1.0)
    source = ScriptedSource(DEFAULT_CATALOG, [(2.0, late), (1.0, early)])

    assert source.pop_due(5.0) == [early, late]


def test_scripted_source_is_exhausted_after_its_last_quote() -> None:
    source = ScriptedSource(DEFAULT_CATALOG, [(1.0, Quote("BTC/USD", 1.0, None, "kraken", 1.0))])
    source.pop_due(1.0)

    assert source.next_due() is None
    assert source.pop_due(1e9) == []


def test_scripted_source_refuses_a_symbol_outside_its_catalog() -> None:
    with pytest.raises(ValueError, match="catalog"):
        ScriptedSource(DEFAULT_CATALOG, [(1.0, Quote("NOPE/USD", 1.0, None, "kraken", 1.0))])


# --- SyntheticSource ---------------------------------------------------------


def _synthetic_quotes(
    *,
    seed: int = 7,
    catalog: Catalog = DEFAULT_CATALOG,
    seconds: float = 600.0,
    step: float = 1.0,
    interval: float = DEFAULT_INTERVAL,
) -> list[Quote]:
    clock = ManualClock()
    source = SyntheticSource(catalog=catalog, clock=clock, seed=seed, interval=interval)
    return _quotes(list(_drive(source, clock, seconds=seconds, step=step)))


def _by_symbol(quotes: list[Quote]) -> dict[str, list[Quote]]:
    grouped: dict[str, list[Quote]] = defaultdict(list)
    for quote in quotes:
        grouped[quote.symbol].append(quote)
    return grouped


def _mean_gap(quotes: list[Quote]) -> float:
    return statistics.fmean(b.time - a.time for a, b in itertools.pairwise(quotes))


@pytest.fixture(scope="module")
def one_hour() -> list[Quote]:
    """An hour of the default catalog at the default interval."""
    return _synthetic_quotes(seconds=3600.0)


@pytest.fixture(scope="module")
def one_day() -> list[Quote]:
    """24 simulated hours; a 30 s interval keeps the run short."""
    return _synthetic_quotes(seconds=86_400.0, step=10.0, interval=30.0)


def test_same_seed_gives_identical_quotes() -> None:
    assert _synthetic_quotes(seed=11) == _synthetic_quotes(seed=11)


def test_different_seeds_give_different_quotes() -> None:
    first = [quote.price for quote in _synthetic_quotes(seed=11)]
    second = [quote.price for quote in _synthetic_quotes(seed=12)]

    assert first != second


def test_removing_a_symbol_does_not_change_another_symbols_path() -> None:
    without_eth = Catalog(spec for spec in DEFAULT_CATALOG if spec.symbol != "ETH/USD")

    full = _by_symbol(_synthetic_quotes())["BTC/USD"]
    reduced = _by_symbol(_synthetic_quotes(catalog=without_eth))["BTC/USD"]

    assert reduced == full


def test_first_quote_of_every_symbol_is_due_immediately() -> None:
    clock = ManualClock(start_monotonic=500.0)
    source = SyntheticSource(catalog=DEFAULT_CATALOG, clock=clock, seed=7, interval=4.0)

    assert source.next_due() == 500.0
    quotes = source.pop_due(500.0)
    assert sorted(quote.symbol for quote in quotes) == sorted(DEFAULT_CATALOG.symbols)


def test_opening_quotes_are_stamped_with_the_current_time() -> None:
    clock = ManualClock()
    source = SyntheticSource(catalog=DEFAULT_CATALOG, clock=clock, seed=7, interval=4.0)

    assert {quote.time for quote in source.pop_due(clock.monotonic())} == {clock.time()}


def test_quotes_are_never_stamped_in_the_future() -> None:
    clock = ManualClock()
    source = SyntheticSource(catalog=DEFAULT_CATALOG, clock=clock, seed=7, interval=4.0)

    for step in _drive(source, clock, seconds=600.0, step=2.5):
        assert all(quote.time <= clock.time() for quote in step.quotes)


def test_quotes_are_stamped_when_they_were_due_not_when_collected() -> None:
    """Collected late, a quote still carries the instant it was due."""
    clock = ManualClock()
    source = SyntheticSource(catalog=DEFAULT_CATALOG, clock=clock, seed=7, interval=4.0)
    clock.advance(60.0)

    times = [quote.time for quote in source.pop_due(clock.monotonic())]

    assert len(set(times)) > len(DEFAULT_CATALOG)
    assert min(times) == clock.time() - 60.0


def test_prices_stay_positive_and_finite_over_a_day(one_day: list[Quote]) -> None:
    assert all(math.isfinite(quote.price) and quote.price > 0 for quote in one_day)


def test_every_symbol_is_quoted_throughout_a_day(one_day: list[Quote]) -> None:
    assert set(_by_symbol(one_day)) == set(DEFAULT_CATALOG.symbols)


@pytest.mark.parametrize("symbol", DEFAULT_CATALOG.symbols)
def test_mean_gap_over_a_day_is_within_ten_percent_of_the_interval(
    one_day: list[Quote], symbol: str
) -> None:
    assert _mean_gap(_by_symbol(one_day)[symbol]) == pytest.approx(30.0, rel=0.10)


def test_mean_gap_at_the_default_interval_is_within_ten_percent(one_hour: list[Quote]) -> None:
    mean_gap = _mean_gap(_by_symbol(one_hour)["BTC/USD"])

    assert mean_gap == pytest.approx(DEFAULT_INTERVAL, rel=0.10)


def test_several_exchanges_quote_the_market(one_hour: list[Quote]) -> None:
    assert len({quote.exchange for quote in one_hour}) >= 4


def test_each_symbol_is_quoted_by_several_of_its_exchanges(one_hour: list[Quote]) -> None:
    for symbol, quotes in _by_symbol(one_hour).items():
        exchanges = {quote.exchange for quote in quotes}
        assert len(exchanges) >= 2
        assert exchanges <= set(DEFAULT_CATALOG[symbol].exchanges)


def test_prices_stay_within_twenty_percent_of_reference_over_an_hour(one_hour: list[Quote]) -> None:
    for quote in one_hour:
        reference = DEFAULT_CATALOG[quote.symbol].reference_price
        assert reference * 0.8 <= quote.price <= reference * 1.2, quote


def test_volumes_are_present_and_positive(one_hour: list[Quote]) -> None:
    assert all(quote.volume is not None and quote.volume > 0 for quote in one_hour)


@pytest.mark.parametrize("interval", [0.0, -4.0, float("nan")])
def test_synthetic_source_needs_a_positive_interval(interval: float) -> None:
    with pytest.raises(ValueError, match="interval"):
        SyntheticSource(catalog=DEFAULT_CATALOG, clock=ManualClock(), seed=1, interval=interval)
