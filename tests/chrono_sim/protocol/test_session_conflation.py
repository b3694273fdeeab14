"""A session tells its `on_conflate` how many price frames its outbox discarded."""

from __future__ import annotations

from collections import Counter

from chrono_sim.faults import FaultPlan
from chrono_sim.faults.policy import FaultInjector
from chrono_sim.protocol.admission import Gatekeeper, Lease
from chrono_sim.protocol.catalog import DEFAULT_CATALOG
from chrono_sim.protocol.clock import ManualClock
from chrono_sim.protocol.hub import Hub
from chrono_sim.protocol.keys import DEV_KEY
from chrono_sim.protocol.limits import ProtocolLimits
from chrono_sim.protocol.session import Session, SessionSettings
from tests.support.sessions import Client, quote

LIMITS = ProtocolLimits(price_backlog=4)


def lease(gatekeeper: Gatekeeper) -> Lease:
    admitted = gatekeeper.admit(DEV_KEY)
    assert isinstance(admitted, Lease), admitted
    return admitted


def publish_five_unread(client: Client, hub: Hub) -> None:
    client.request(type="subscribe", symbols=["BTC/USD"])
    client.replies()
    for price in range(5):  # one past the backlog of 4: conflated to the latest
        hub.publish(quote("BTC/USD", 100.0 + price))


def test_a_session_reports_each_conflation_to_on_conflate(
    gatekeeper: Gatekeeper, hub: Hub, clock: ManualClock
) -> None:
    discarded: list[int] = []
    session = Session(SessionSettings(
        lease=lease(gatekeeper), hub=hub, catalog=DEFAULT_CATALOG, clock=clock, limits=LIMITS,
        on_conflate=discarded.append,
    ))  # fmt: skip
    publish_five_unread(Client(session), hub)
    assert discarded == [4]


def test_a_fault_session_reports_each_conflation_to_on_conflate(
    gatekeeper: Gatekeeper, hub: Hub, clock: ManualClock
) -> None:
    discarded: list[int] = []
    injector = FaultInjector(FaultPlan(), seed=1, counts=Counter())
    session = injector.open_session(SessionSettings(
        lease=lease(gatekeeper), hub=hub, catalog=DEFAULT_CATALOG, clock=clock, limits=LIMITS,
        on_conflate=discarded.append,
    ))  # fmt: skip
    publish_five_unread(Client(session), hub)
    assert discarded == [4]
