"""Shared fixtures: a manual clock, a hub, and sessions driven by hand through a `Client`."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pytest

from chrono_sim.protocol.admission import Gatekeeper, Lease
from chrono_sim.protocol.catalog import DEFAULT_CATALOG
from chrono_sim.protocol.clock import ManualClock
from chrono_sim.protocol.hub import Hub
from chrono_sim.protocol.keys import DEV_KEY, KeyStore
from chrono_sim.protocol.limits import ProtocolLimits
from chrono_sim.protocol.session import Session
from tests.support import Client


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
                lease=lease, hub=hub, catalog=DEFAULT_CATALOG, clock=clock, limits=session_limits
            )
        )

    return _connect


@pytest.fixture
def client(connect: Callable[..., Client]) -> Client:
    return connect()
