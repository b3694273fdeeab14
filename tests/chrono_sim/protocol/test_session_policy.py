"""A session with a `DeliveryPolicy`: the policy takes the prices, the session keeps the rules."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

from chrono_sim.protocol.admission import Gatekeeper, Lease
from chrono_sim.protocol.catalog import DEFAULT_CATALOG
from chrono_sim.protocol.clock import ManualClock
from chrono_sim.protocol.delivery import Close
from chrono_sim.protocol.hub import Hub
from chrono_sim.protocol.keys import DEV_KEY
from chrono_sim.protocol.limits import ProtocolLimits
from chrono_sim.protocol.messages import CloseCode, Subscribed
from chrono_sim.protocol.outbox import Outbox
from chrono_sim.protocol.session import Session, SessionSettings
from tests.support.sessions import Client, quote


class PauseFor:
    """A minimal policy: passes prices on, and pauses output from `start` to `end`."""

    def __init__(self, start: float, end: float) -> None:
        self.start, self.end = start, end
        self.paused = False
        self.pending = 0
        self.closed = False

    def deliver(self, outbox: Outbox, symbol: str, frame: bytes) -> None:
        outbox.put_price(symbol, frame)

    def discard(self, symbols: Iterable[str]) -> None:
        pass

    def next_deadline(self) -> float:
        return self.end if self.paused else self.start

    def on_timer(self, outbox: Outbox, now: float) -> Close | None:
        self.paused = self.start <= now < self.end
        return None

    def watch_deadline(self, moved: Callable[[], None]) -> None:
        pass

    def close(self) -> None:
        self.closed = True


def open_session(
    gatekeeper: Gatekeeper, hub: Hub, clock: ManualClock, policy: PauseFor, ready: list[float]
) -> Client:
    lease = gatekeeper.admit(DEV_KEY)
    assert isinstance(lease, Lease)
    settings = SessionSettings(
        lease=lease, hub=hub, catalog=DEFAULT_CATALOG, clock=clock, limits=ProtocolLimits(),
        on_ready=lambda: ready.append(clock.monotonic()),
    )  # fmt: skip
    return Client(Session(settings, policy=policy))


def test_frames_that_waited_out_a_pause_are_announced_when_it_ends(
    gatekeeper: Gatekeeper, hub: Hub, clock: ManualClock
) -> None:
    ready: list[float] = []
    client = open_session(gatekeeper, hub, clock, PauseFor(start=1.0, end=3.0), ready)
    assert isinstance(client.request(type="subscribe", symbols=["BTC/USD"]), Subscribed)
    clock.advance(1.0)
    assert client.session.on_timer() is None  # the pause begins
    hub.publish(quote("BTC/USD", 100.0))
    assert client.session.take_frames() == []  # announced, but held back
    clock.advance(2.0)
    ready.clear()
    assert client.session.on_timer() is None  # the pause ends
    assert ready == [3.0]
    assert len(client.session.take_frames()) == 1


def test_the_session_rules_still_run_beside_a_policy(
    gatekeeper: Gatekeeper, hub: Hub, clock: ManualClock
) -> None:
    policy = PauseFor(start=math.inf, end=math.inf)
    client = open_session(gatekeeper, hub, clock, policy, [])
    clock.advance(ProtocolLimits().idle_timeout)
    close = client.session.on_timer()
    assert close is not None
    assert close.code == CloseCode.IDLE_TIMEOUT
    client.session.close()
    assert policy.closed
