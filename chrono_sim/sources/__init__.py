"""Price sources: everything that feeds quotes to the hub implements `PriceSource`."""

from chrono_sim.sources.base import CLIENT_PACED_BATCH, PriceSource
from chrono_sim.sources.replay import ReplaySource
from chrono_sim.sources.replay_window import cut_window, parse_bound
from chrono_sim.sources.scripted import ScriptedSource
from chrono_sim.sources.synthetic import SyntheticSource
from chrono_sim.sources.tape_catalog import catalog_from_tape

__all__ = [
    "CLIENT_PACED_BATCH",
    "PriceSource",
    "ReplaySource",
    "ScriptedSource",
    "SyntheticSource",
    "catalog_from_tape",
    "cut_window",
    "parse_bound",
]
