"""Shared fixtures: a manual clock, a hub and sessions driven by hand through a `Client`;
in-process servers on a free loopback port; `chrono` processes stopped when a test ends."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from chrono_sim.protocol.admission import Gatekeeper, Lease
from chrono_sim.protocol.catalog import DEFAULT_CATALOG
from chrono_sim.protocol.clock import ManualClock
from chrono_sim.protocol.hub import Hub
from chrono_sim.protocol.keys import DEV_KEY, KeyStore
from chrono_sim.protocol.limits import ProtocolLimits
from chrono_sim.protocol.session import Session, SessionSettings
from chrono_sim.server import ChronoServer
from chrono_sim.server.config import ServerConfig
from chrono_sim.sources import PriceSource, ScriptedSource
from tests.support.processes import Cli
from tests.support.servers import StartServer
from tests.support.sessions import Client
from tests.support.sockets import KEYS


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def hub() -> Hub:
    return Hub()


@pytest.fixture
def gatekeeper(clock: ManualClock) -> Gatekeeper:
    return Gatekeeper(KeyStore.development(), clock)


@pytest.fixture
def limits() -> ProtocolLimits:
    return ProtocolLimits()


@pytest.fixture
def connect(
    gatekeeper: Gatekeeper, hub: Hub, clock: ManualClock, limits: ProtocolLimits
) -> Callable[..., Client]:
    """Admit a connection with the dev key and wrap its session in a `Client`."""

    def _connect(**overrides: Any) -> Client:
        lease = gatekeeper.admit(DEV_KEY)
        assert isinstance(lease, Lease), lease
        session_limits = dataclasses.replace(limits, **overrides)
        return Client(
            Session(
                SessionSettings(
                    lease=lease,
                    hub=hub,
                    catalog=DEFAULT_CATALOG,
                    clock=clock,
                    limits=session_limits,
                )
            )
        )

    return _connect


@pytest.fixture
def client(connect: Callable[..., Client]) -> Client:
    return connect()


@pytest.fixture
async def start_server() -> AsyncIterator[StartServer]:
    """Start servers on 127.0.0.1 with a free port.

    Prices come only from `hub.publish` unless a `source` is given (its catalog
    is then the server's).
    """
    servers: list[ChronoServer] = []

    async def _start(*, source: PriceSource | None = None, **settings: Any) -> ChronoServer:
        """`settings` may name any ProtocolLimits or ServerConfig field."""
        limit_names = {field.name for field in dataclasses.fields(ProtocolLimits)}
        limits = ProtocolLimits(**{k: v for k, v in settings.items() if k in limit_names})
        others = {k: v for k, v in settings.items() if k not in limit_names}
        if source is not None:
            others.setdefault("catalog", source.catalog)
        config = ServerConfig(host="127.0.0.1", port=0, keys=KEYS, limits=limits, **others)
        server = ChronoServer(config, source=source or ScriptedSource(DEFAULT_CATALOG))
        await server.start()
        servers.append(server)
        return server

    yield _start
    for server in servers:
        server.close()
        await server.wait_closed()


@pytest.fixture
async def server(start_server: StartServer) -> ChronoServer:
    return await start_server()


@pytest.fixture
async def processes() -> AsyncIterator[list[Cli]]:
    """`chrono` processes a test starts; killed, if still running, when it ends."""
    started: list[Cli] = []
    yield started
    for process in started:
        await process.stop()
