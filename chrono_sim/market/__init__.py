"""The synthetic market: GARCH volatility, jumps, correlated symbols, venues with a basis."""

from chrono_sim.market.model import CHUNK_SECONDS, MarketModel
from chrono_sim.market.params import DEFAULT_PARAMS, MarketParams

__all__ = ["CHUNK_SECONDS", "DEFAULT_PARAMS", "MarketModel", "MarketParams"]
