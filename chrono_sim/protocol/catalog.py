"""The symbols a server offers, with the reference data the generator needs.

Lookups are case-insensitive (`btc/usd` finds `BTC/USD`); the catalog always
answers with the canonical spelling.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from chrono_sim.errors import ConfigError

EXCHANGES: tuple[str, ...] = ("coinbase", "binance", "kraken", "bitstamp", "okx", "bybit", "gemini")


@dataclass(frozen=True, slots=True, kw_only=True)
class SymbolSpec:
    """One tradable pair and the figures that make its simulated market look real."""

    symbol: str
    reference_price: float
    decimals: int
    annual_volatility: float
    daily_volume: float
    exchanges: tuple[str, ...]
    # Correlation of the symbol's returns with the crypto market as a whole (BTC-led).
    market_correlation: float = 0.6

    def __post_init__(self) -> None:
        if not self.symbol:
            raise ConfigError("a symbol needs a non-empty name")
        if not self.reference_price > 0:
            raise ConfigError(f"{self.symbol}: reference price must be positive")
        if not self.exchanges:
            raise ConfigError(f"{self.symbol}: at least one exchange must quote it")
        if not -1.0 <= self.market_correlation <= 1.0:
            raise ConfigError(f"{self.symbol}: market correlation must be within [-1, 1]")


class Catalog:
    """An ordered, case-insensitive set of `SymbolSpec`s."""

    def __init__(self, specs: Iterable[SymbolSpec]) -> None:
        self._specs: dict[str, SymbolSpec] = {}
        for spec in specs:
            folded = spec.symbol.casefold()
            if folded in self._specs:
                raise ConfigError(f"symbol {spec.symbol!r} is listed twice")
            self._specs[folded] = spec
        self.symbols: tuple[str, ...] = tuple(spec.symbol for spec in self._specs.values())

    def canonical(self, name: str) -> str | None:
        """The catalog's spelling of `name`, or None when no such symbol exists."""
        spec = self._specs.get(name.casefold())
        return spec.symbol if spec else None

    def __getitem__(self, symbol: str) -> SymbolSpec:
        return self._specs[symbol.casefold()]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.casefold() in self._specs

    def __iter__(self) -> Iterator[SymbolSpec]:
        return iter(self._specs.values())

    def __len__(self) -> int:
        return len(self._specs)

    def select(self, names: Iterable[str]) -> Catalog:
        """The named symbols only, in the order given (names are case-insensitive)."""
        wanted = [name.strip() for name in names if name.strip()]
        unknown = [name for name in wanted if name not in self]
        if unknown:
            raise ConfigError(
                f"unknown symbol{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}; "
                f"choose from {', '.join(self.symbols)}"
            )
        if not wanted:
            raise ConfigError("name at least one symbol")
        return Catalog(dict.fromkeys(self[name] for name in wanted))


def _pair(
    symbol: str,
    price: float,
    decimals: int,
    volatility: float,
    volume: float,
    venues: int,
    correlation: float,
) -> SymbolSpec:
    return SymbolSpec(
        symbol=symbol,
        reference_price=price,
        decimals=decimals,
        annual_volatility=volatility,
        daily_volume=volume,
        exchanges=EXCHANGES[:venues],
        market_correlation=correlation,
    )


# The twelve symbols decisions.md promises in every default catalog, in its order:
# what a client of any Chrono server (a checker, a load test) may rely on.
DOCUMENTED_SYMBOLS = (
    "BTC/USD", "ETH/USD", "SOL/USD", "XRP/USD", "ADA/USD", "DOGE/USD",
    "AVAX/USD", "DOT/USD", "LINK/USD", "LTC/USD", "BCH/USD", "ETH/BTC",
)  # fmt: skip

# Reference prices, volatilities, 24 h USD volumes and correlations with the market of late
# 2025, rounded: close enough that a demo looks like the real market, not a forecast of it.
# BTC and ETH move together closely (0.95 x 0.93: about 0.88), alts more loosely.
DEFAULT_CATALOG = Catalog(
    [
        _pair("BTC/USD", 95_000.0, 2, 0.50, 28e9, 7, 0.95),
        _pair("ETH/USD", 3_400.0, 2, 0.65, 15e9, 7, 0.93),
        _pair("SOL/USD", 190.0, 3, 0.85, 4e9, 6, 0.75),
        _pair("XRP/USD", 2.35, 5, 0.90, 3e9, 6, 0.65),
        _pair("ADA/USD", 0.75, 5, 0.90, 8e8, 5, 0.7),
        _pair("DOGE/USD", 0.22, 6, 1.00, 1.5e9, 6, 0.65),
        _pair("AVAX/USD", 28.0, 4, 0.95, 5e8, 5, 0.72),
        _pair("DOT/USD", 5.5, 4, 0.90, 3e8, 5, 0.7),
        _pair("LINK/USD", 17.0, 4, 0.90, 6e8, 5, 0.72),
        _pair("LTC/USD", 95.0, 3, 0.75, 5e8, 5, 0.7),
        _pair("BCH/USD", 480.0, 2, 0.80, 4e8, 4, 0.65),
        _pair("ETH/BTC", 0.0358, 6, 0.45, 2e8, 4, 0.25),
        _pair("ATOM/USD", 6.5, 4, 0.90, 2e8, 4, 0.65),
        _pair("UNI/USD", 9.0, 4, 0.95, 2.5e8, 4, 0.65),
        _pair("XLM/USD", 0.35, 6, 0.90, 2e8, 4, 0.6),
        _pair("TRX/USD", 0.28, 6, 0.60, 6e8, 4, 0.4),
    ]
)
