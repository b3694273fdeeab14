"""Price sources: everything that feeds quotes to the hub implements `PriceSource`."""

from chrono_sim.sources.base import PriceSource, Quote
from chrono_sim.sources.scripted import ScriptedSource
from chrono_sim.sources.synthetic import SyntheticSource

__all__ = ["PriceSource", "Quote", "ScriptedSource", "SyntheticSource"]
