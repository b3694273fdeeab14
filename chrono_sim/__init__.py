"""Chrono Sim: a simulator and toolkit for the Chrono `/stream` price protocol.

The package is in layers, each importing only those below it (the contracts in
`pyproject.toml` hold it so)::

    server, client, conformance, bench   sockets: the /stream server, the feed client,
                                         `chrono check`, `chrono bench`
    sources, faults                      what prices are published, and how they are spoiled
    market, datafiles, settings          the synthetic market, price files, keys and PEM files
    protocol                             every rule of the protocol, pure: no I/O
    durations, lazy, version, errors     small helpers, and the exception tree

The names below are the library's public API. They load on first use (PEP 562),
so importing `chrono_sim` or `chrono_sim.protocol` loads neither the server nor
numpy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chrono_sim.lazy import lazy_exports
from chrono_sim.version import __version__

if TYPE_CHECKING:
    from chrono_sim.client import (
        Connected,
        Disconnected,
        FeedClient,
        FeedEvent,
        Heartbeat,
        Price,
        ReconnectPolicy,
        Retrying,
        Subscribed,
    )
    from chrono_sim.errors import (
        AuthenticationError,
        ChronoError,
        ClientError,
        ConfigError,
        DataFileError,
        FaultSpecError,
        InvalidUrlError,
        KeysFileError,
        MessageError,
        RequestRefusedError,
        ServerUnreachableError,
        SymbolsUnavailableError,
    )
    from chrono_sim.faults.plan import FaultPlan, parse_faults
    from chrono_sim.protocol.catalog import Catalog, SymbolSpec
    from chrono_sim.protocol.clock import Clock, ManualClock, SystemClock
    from chrono_sim.protocol.keys import ApiKey, KeyStore
    from chrono_sim.protocol.limits import ProtocolLimits
    from chrono_sim.protocol.quote import Quote
    from chrono_sim.server import ChronoServer
    from chrono_sim.server.config import ServerConfig
    from chrono_sim.settings.keys_file import load_keys
    from chrono_sim.sources import PriceSource, ReplaySource, ScriptedSource, SyntheticSource

_HOMES = {
    # The server and what it is configured with.
    "ChronoServer": "chrono_sim.server",
    "ServerConfig": "chrono_sim.server.config",
    "ProtocolLimits": "chrono_sim.protocol.limits",
    "Catalog": "chrono_sim.protocol.catalog",
    "SymbolSpec": "chrono_sim.protocol.catalog",
    "ApiKey": "chrono_sim.protocol.keys",
    "KeyStore": "chrono_sim.protocol.keys",
    "load_keys": "chrono_sim.settings.keys_file",
    "FaultPlan": "chrono_sim.faults.plan",
    "parse_faults": "chrono_sim.faults.plan",
    # Time, as every part of the simulator reads it.
    "Clock": "chrono_sim.protocol.clock",
    "ManualClock": "chrono_sim.protocol.clock",
    "SystemClock": "chrono_sim.protocol.clock",
    # Price sources.
    "Quote": "chrono_sim.protocol.quote",
    "PriceSource": "chrono_sim.sources",
    "ReplaySource": "chrono_sim.sources",
    "ScriptedSource": "chrono_sim.sources",
    "SyntheticSource": "chrono_sim.sources",
    # The feed client and its events.
    "FeedClient": "chrono_sim.client",
    "ReconnectPolicy": "chrono_sim.client",
    "FeedEvent": "chrono_sim.client",
    "Connected": "chrono_sim.client",
    "Subscribed": "chrono_sim.client",
    "Price": "chrono_sim.client",
    "Heartbeat": "chrono_sim.client",
    "Disconnected": "chrono_sim.client",
    "Retrying": "chrono_sim.client",
    # The exception tree (drawn in chrono_sim.errors).
    "ChronoError": "chrono_sim.errors",
    "ConfigError": "chrono_sim.errors",
    "KeysFileError": "chrono_sim.errors",
    "DataFileError": "chrono_sim.errors",
    "MessageError": "chrono_sim.errors",
    "ClientError": "chrono_sim.errors",
    "InvalidUrlError": "chrono_sim.errors",
    "ServerUnreachableError": "chrono_sim.errors",
    "AuthenticationError": "chrono_sim.errors",
    "RequestRefusedError": "chrono_sim.errors",
    "SymbolsUnavailableError": "chrono_sim.errors",
    "FaultSpecError": "chrono_sim.errors",
}

__all__ = [
    "ApiKey",
    "AuthenticationError",
    "Catalog",
    "ChronoError",
    "ChronoServer",
    "ClientError",
    "Clock",
    "ConfigError",
    "Connected",
    "DataFileError",
    "Disconnected",
    "FaultPlan",
    "FaultSpecError",
    "FeedClient",
    "FeedEvent",
    "Heartbeat",
    "InvalidUrlError",
    "KeyStore",
    "KeysFileError",
    "ManualClock",
    "MessageError",
    "Price",
    "PriceSource",
    "ProtocolLimits",
    "Quote",
    "ReconnectPolicy",
    "ReplaySource",
    "RequestRefusedError",
    "Retrying",
    "ScriptedSource",
    "ServerConfig",
    "ServerUnreachableError",
    "Subscribed",
    "SymbolSpec",
    "SymbolsUnavailableError",
    "SyntheticSource",
    "SystemClock",
    "__version__",
    "load_keys",
    "parse_faults",
]

if not TYPE_CHECKING:  # to mypy, only the names imported above exist
    __getattr__, __dir__ = lazy_exports(__name__, _HOMES)
