"""A made-up universe of extra symbols for scale tests (`--universe N`), named with Faker.

Faker only names things: the made-up symbols' prices come from the market
model like any other. Tickers are built from English words the way real ones
often are (`PLANET` -> `PLNT`); reference prices, volatilities and volumes
are drawn log-uniformly across the ranges real alts span. The same seed
gives the same universe (for a given Faker version).
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable

from chrono_sim.protocol.catalog import EXCHANGES, Catalog, SymbolSpec

QUOTE_CURRENCY = "USD"
MAX_TICKER = 5
SIGNIFICANT_DIGITS = 6


def with_universe(catalog: Catalog, count: int, *, seed: int) -> Catalog:
    """`catalog` followed by `count` made-up symbols that clash with none of its own."""
    return Catalog([*catalog, *made_up_symbols(count, seed=seed, taken=catalog.symbols)])


def made_up_symbols(count: int, *, seed: int, taken: Iterable[str] = ()) -> list[SymbolSpec]:
    """`count` plausible alt-coin pairs, e.g. `PLNT/USD` at 0.0421 quoted by three venues."""
    if count < 0:
        raise ValueError("the universe cannot hold a negative number of symbols")
    from faker import Faker  # noqa: PLC0415 (~0.1 s to import: only runs with a universe pay)

    faker = Faker("en_US")
    faker.seed_instance(seed)
    rng = random.Random(seed)
    used = {symbol.partition("/")[0].upper() for symbol in taken}
    specs: list[SymbolSpec] = []
    while len(specs) < count:
        ticker = _ticker(faker.word())
        if len(ticker) < 3 or ticker in used:
            ticker = faker.lexify("????").upper()  # the common words run out past a few hundred
            if ticker in used:
                continue
        used.add(ticker)
        specs.append(_spec(f"{ticker}/{QUOTE_CURRENCY}", rng))
    return specs


def _ticker(word: str) -> str:
    """`planet` -> `PLNT`: the first letter, then the word's consonants, at most five letters."""
    letters = [char for char in word.upper() if char.isalpha()]
    if not letters:
        return ""
    consonants = [char for char in letters[1:] if char not in "AEIOU"]
    return "".join([letters[0], *consonants])[:MAX_TICKER]


def _log_uniform(rng: random.Random, low: float, high: float) -> float:
    return math.exp(rng.uniform(math.log(low), math.log(high)))


def _spec(symbol: str, rng: random.Random) -> SymbolSpec:
    price = _log_uniform(rng, 1e-4, 500.0)
    # Six significant digits, as exchanges quote small caps.
    decimals = max(2, SIGNIFICANT_DIGITS - 1 - math.floor(math.log10(price)))
    venues = rng.randint(2, 5)
    return SymbolSpec(
        symbol=symbol,
        reference_price=round(price, decimals),
        decimals=decimals,
        annual_volatility=round(rng.uniform(0.8, 1.4), 2),
        daily_volume=round(_log_uniform(rng, 1e6, 5e8), -3),
        exchanges=tuple(rng.sample(EXCHANGES[:6], venues)),
        market_correlation=round(rng.uniform(0.4, 0.7), 2),
    )
