"""The symbol catalog: the default symbols and case-insensitive lookup."""

from __future__ import annotations

import pytest

from chrono_sim.errors import ConfigError
from chrono_sim.protocol.catalog import DEFAULT_CATALOG, DOCUMENTED_SYMBOLS, Catalog, SymbolSpec

DECIDED_SYMBOLS = [
    "BTC/USD",
    "ETH/USD",
    "SOL/USD",
    "XRP/USD",
    "ADA/USD",
    "DOGE/USD",
    "AVAX/USD",
    "DOT/USD",
    "LINK/USD",
    "LTC/USD",
    "BCH/USD",
    "ETH/BTC",
]


def test_the_documented_symbols_are_the_decided_twelve_in_the_default_catalog() -> None:
    assert list(DOCUMENTED_SYMBOLS) == DECIDED_SYMBOLS
    assert set(DOCUMENTED_SYMBOLS) <= set(DEFAULT_CATALOG.symbols)


def _spec(symbol: str, price: float = 1.0, exchanges: tuple[str, ...] = ("kraken",)) -> SymbolSpec:
    return SymbolSpec(
        symbol=symbol,
        reference_price=price,
        decimals=2,
        annual_volatility=0.5,
        daily_volume=1e6,
        exchanges=exchanges,
    )


@pytest.mark.parametrize("symbol", DECIDED_SYMBOLS)
def test_default_catalog_holds_every_decided_symbol(symbol: str) -> None:
    assert symbol in DEFAULT_CATALOG.symbols


def test_every_default_symbol_has_a_positive_reference_price() -> None:
    assert all(spec.reference_price > 0 for spec in DEFAULT_CATALOG)


def test_every_default_symbol_is_quoted_by_several_exchanges() -> None:
    assert all(len(spec.exchanges) >= 2 for spec in DEFAULT_CATALOG)


def test_no_default_symbol_lists_an_exchange_twice() -> None:
    assert all(len(set(spec.exchanges)) == len(spec.exchanges) for spec in DEFAULT_CATALOG)


def test_default_catalog_spans_at_least_four_exchanges() -> None:
    exchanges = {name for spec in DEFAULT_CATALOG for name in spec.exchanges}

    assert len(exchanges) >= 4


def test_default_reference_prices_are_realistic() -> None:
    assert DEFAULT_CATALOG["BTC/USD"].reference_price > DEFAULT_CATALOG["ETH/USD"].reference_price
    assert DEFAULT_CATALOG["ETH/BTC"].reference_price < 1


def test_default_symbols_are_in_canonical_spelling() -> None:
    assert all(DEFAULT_CATALOG.canonical(symbol) == symbol for symbol in DEFAULT_CATALOG.symbols)


@pytest.mark.parametrize("name", ["btc/usd", "BTC/USD", "Btc/Usd", "bTC/uSD"])
def test_canonical_is_case_insensitive(name: str) -> None:
    assert DEFAULT_CATALOG.canonical(name) == "BTC/USD"


@pytest.mark.parametrize("name", ["", "BTC", "BTCUSD", "BTC/USD ", "NOPE/USD"])
def test_canonical_of_an_unknown_symbol_is_none(name: str) -> None:
    assert DEFAULT_CATALOG.canonical(name) is None


def test_membership_is_case_insensitive() -> None:
    assert "eth/btc" in DEFAULT_CATALOG


def test_non_strings_are_never_members() -> None:
    assert 42 not in DEFAULT_CATALOG


def test_lookup_by_any_spelling_gives_the_canonical_spec() -> None:
    assert DEFAULT_CATALOG["doge/usd"].symbol == "DOGE/USD"


def test_catalog_keeps_the_given_order() -> None:
    catalog = Catalog([_spec("B/USD"), _spec("A/USD"), _spec("C/USD")])

    assert catalog.symbols == ("B/USD", "A/USD", "C/USD")
    assert [spec.symbol for spec in catalog] == ["B/USD", "A/USD", "C/USD"]
    assert len(catalog) == 3


@pytest.mark.parametrize("second", ["A/USD", "a/usd"])
def test_duplicate_symbols_are_rejected(second: str) -> None:
    with pytest.raises(ConfigError, match="twice"):
        Catalog([_spec("A/USD"), _spec(second)])


@pytest.mark.parametrize("price", [0.0, -1.0, float("nan")])
def test_symbol_needs_a_positive_reference_price(price: float) -> None:
    with pytest.raises(ConfigError):
        _spec("A/USD", price=price)


def test_symbol_needs_a_name() -> None:
    with pytest.raises(ConfigError):
        _spec("")


def test_symbol_needs_an_exchange() -> None:
    with pytest.raises(ConfigError):
        _spec("A/USD", exchanges=())


def test_select_keeps_the_named_symbols_in_the_order_given() -> None:
    chosen = DEFAULT_CATALOG.select(["eth/usd", "BTC/USD"])
    assert chosen.symbols == ("ETH/USD", "BTC/USD")
    assert chosen["ETH/USD"] is DEFAULT_CATALOG["ETH/USD"]


def test_select_ignores_blanks_and_repeats() -> None:
    assert DEFAULT_CATALOG.select(["BTC/USD", " ", "btc/usd"]).symbols == ("BTC/USD",)


def test_select_names_every_unknown_symbol_and_what_exists() -> None:
    with pytest.raises(
        ConfigError, match=r"unknown symbols NOPE/USD, BTC/EUR; choose from BTC/USD"
    ):
        DEFAULT_CATALOG.select(["NOPE/USD", "BTC/EUR"])


def test_select_needs_at_least_one_symbol() -> None:
    with pytest.raises(ConfigError, match="at least one symbol"):
        DEFAULT_CATALOG.select([""])


def test_a_market_correlation_outside_minus_one_to_one_is_refused() -> None:
    with pytest.raises(ConfigError, match="correlation"):
        SymbolSpec(
            symbol="X/USD",
            reference_price=1.0,
            decimals=2,
            annual_volatility=0.5,
            daily_volume=1e6,
            exchanges=("kraken",),
            market_correlation=1.5,
        )
