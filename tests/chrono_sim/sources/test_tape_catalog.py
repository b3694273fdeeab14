"""A replay's catalog is read off its tape: the symbols, exchanges and prices the file holds."""

from __future__ import annotations

import math

import numpy as np
import pytest

from chrono_sim.datafiles.tape import Tape
from chrono_sim.errors import ConfigError
from chrono_sim.sources import catalog_from_tape
from chrono_sim.sources.tape_catalog import (
    DEFAULT_VOLATILITY,
    MAX_DECIMALS,
    SECONDS_PER_YEAR,
    price_decimals,
)
from tests.support.tapes import T0, tape_of


def test_symbols_come_in_order_of_first_appearance() -> None:
    tape = tape_of([(T0, "SOL/USD", 1.0), (T0 + 1, "BTC/USD", 2.0), (T0 + 2, "SOL/USD", 3.0)])

    assert catalog_from_tape(tape).symbols == ("SOL/USD", "BTC/USD")


def test_symbols_of_the_table_without_an_update_are_left_out() -> None:
    """After a --from/--to cut, a symbol with nothing to replay would never be quoted."""
    tape = tape_of([(T0, "BTC/USD", 1.0), (T0 + 1, "ETH/USD", 2.0)]).take(slice(0, 1))

    assert catalog_from_tape(tape).symbols == ("BTC/USD",)


def test_the_reference_price_is_the_first_price() -> None:
    tape = tape_of([(T0, "BTC/USD", 95_000.5), (T0 + 1, "BTC/USD", 96_000.0)])

    assert catalog_from_tape(tape)["BTC/USD"].reference_price == 95_000.5


def test_exchanges_are_those_that_quoted_the_symbol_in_order_seen() -> None:
    tape = tape_of(
        [
            (T0, "BTC/USD", 1.0, "kraken", None),
            (T0 + 1, "ETH/USD", 1.0, "okx", None),
            (T0 + 2, "BTC/USD", 1.0, "coinbase", None),
            (T0 + 3, "BTC/USD", 1.0, "kraken", None),
        ]
    )

    catalog = catalog_from_tape(tape)

    assert catalog["BTC/USD"].exchanges == ("kraken", "coinbase")
    assert catalog["ETH/USD"].exchanges == ("okx",)


def test_decimals_are_the_most_any_price_of_the_symbol_has() -> None:
    tape = tape_of(
        [(T0, "BTC/USD", 95_000.0), (T0 + 1, "BTC/USD", 95_000.25), (T0 + 2, "BTC/USD", 95_000.1)]
    )

    assert catalog_from_tape(tape)["BTC/USD"].decimals == 2


@pytest.mark.parametrize(
    ("price", "places"),
    [(95_000.0, 0), (95_000.1, 1), (3_400.25, 2), (0.0358, 4), (0.000012345, 9), (1 / 3, 17)],
)
def test_price_decimals_count_the_places_as_written_up_to_a_cap(price: float, places: int) -> None:
    assert price_decimals(np.array([price]))[0] == min(places, MAX_DECIMALS)


def test_daily_volume_is_the_recorded_volume_scaled_to_a_day() -> None:
    """Each volume is what traded since the venue's previous quote: they add up."""
    hour_ms = 3_600_000
    volumes = [10.0, None, 30.0, 1000.0]
    tape = tape_of([(T0 + i * hour_ms, "BTC/USD", 1.0, "okx", v) for i, v in enumerate(volumes)])

    assert catalog_from_tape(tape)["BTC/USD"].daily_volume == pytest.approx(1040.0 * 24 / 3)


def test_daily_volume_of_a_tape_without_a_span_is_the_sum_of_its_volumes() -> None:
    tape = tape_of([(T0, "BTC/USD", 1.0, "okx", 5.0), (T0, "BTC/USD", 1.0, "kraken", 7.0)])

    assert catalog_from_tape(tape)["BTC/USD"].daily_volume == 12.0


def test_daily_volume_is_zero_when_the_file_records_none() -> None:
    tape = tape_of([(T0, "BTC/USD", 1.0, "okx", None), (T0 + 1000, "BTC/USD", 1.0, "okx", None)])

    assert catalog_from_tape(tape)["BTC/USD"].daily_volume == 0.0


def _random_walk(volatility: float, *, hours: float, gap_s: float, seed: int = 5) -> Tape:
    """Geometric Brownian motion sampled every `gap_s` seconds."""
    rng = np.random.default_rng(seed)
    count = int(hours * 3600 / gap_s)
    steps = volatility * math.sqrt(gap_s / SECONDS_PER_YEAR) * rng.standard_normal(count)
    prices = 100.0 * np.exp(np.cumsum(steps))
    return tape_of(
        [(T0 + int(i * gap_s * 1000), "BTC/USD", float(p)) for i, p in enumerate(prices)]
    )


@pytest.mark.parametrize("volatility", [0.3, 0.9])
def test_annual_volatility_is_estimated_from_a_day_of_prices(volatility: float) -> None:
    tape = _random_walk(volatility, hours=24, gap_s=10)

    estimate = catalog_from_tape(tape)["BTC/USD"].annual_volatility

    assert estimate == pytest.approx(volatility, rel=0.15)


def test_annual_volatility_of_a_short_tape_uses_every_update() -> None:
    tape = _random_walk(0.6, hours=0.25, gap_s=1)

    assert catalog_from_tape(tape)["BTC/USD"].annual_volatility == pytest.approx(0.6, rel=0.15)


@pytest.mark.parametrize(
    "rows",
    [
        [(T0, "BTC/USD", 1.0), (T0 + 1000, "BTC/USD", 2.0)],
        [(T0, "BTC/USD", 1.0), (T0, "BTC/USD", 2.0), (T0, "BTC/USD", 3.0)],
    ],
    ids=["two updates", "no time between them"],
)
def test_annual_volatility_falls_back_to_a_default(rows: list[tuple[int, str, float]]) -> None:
    assert catalog_from_tape(tape_of(rows))["BTC/USD"].annual_volatility == DEFAULT_VOLATILITY


def test_symbols_that_differ_only_in_case_are_refused() -> None:
    tape = tape_of([(T0, "BTC/USD", 1.0), (T0 + 1, "btc/usd", 1.0)])

    with pytest.raises(ConfigError, match="twice"):
        catalog_from_tape(tape)
