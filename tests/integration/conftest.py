"""Real sockets: in-process servers on a free loopback port."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from chrono_sim.protocol.catalog import DEFAULT_CATALOG
from chrono_sim.protocol.limits import ProtocolLimits
from chrono_sim.server import ChronoServer
from chrono_sim.server.config import ServerConfig
from chrono_sim.sources import PriceSource, ScriptedSource
from tests.integration.processes import Cli
from tests.integration.support import KEYS

StartServer = Callable[..., Awaitable[ChronoServer]]


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
