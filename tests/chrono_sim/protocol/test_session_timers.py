"""Heartbeats and the idle timeout, driven by a manual clock."""

from __future__ import annotations

from collections.abc import Callable

from chrono_sim.protocol.clock import ManualClock
from chrono_sim.protocol.delivery import Close
from chrono_sim.protocol.hub import Hub
from chrono_sim.protocol.messages import CloseCode, Pong
from tests.support.sessions import Client, quote

IDLE_CLOSE = Close(CloseCode.IDLE_TIMEOUT, "idle timeout")


def run_timers_until(client: Client, clock: ManualClock, until: float) -> Close | None:
    """Advance the clock deadline by deadline, as the adapter's timer would."""
    while (deadline := client.session.next_deadline()) <= until:
        clock.advance(max(0.0, deadline - clock.monotonic()))
        if (close := client.session.on_timer()) is not None:
            return close
    clock.advance(until - clock.monotonic())
    return None


def test_a_heartbeat_pong_arrives_every_30_seconds_unasked(
    client: Client, clock: ManualClock
) -> None:
    assert run_timers_until(client, clock, 29.999) is None
    assert client.replies() == []
    run_timers_until(client, clock, 30.0)
    assert client.replies() == [Pong(timestamp="2025-10-10T14:30:30.000Z")]
    run_timers_until(client, clock, 90.0)
    assert len(client.replies()) == 2


def test_the_heartbeat_interval_is_configurable(
    connect: Callable[..., Client], clock: ManualClock
) -> None:
    client = connect(heartbeat_interval=5.0)
    run_timers_until(client, clock, 5.0)
    assert client.replies() == [Pong(timestamp="2025-10-10T14:30:05.000Z")]


def test_a_late_timer_sends_one_heartbeat_not_a_burst(client: Client, clock: ManualClock) -> None:
    clock.advance(100.0)
    client.session.on_timer()
    assert len(client.replies()) == 1
    assert client.session.next_deadline() == 130.0


def test_a_silent_connection_is_closed_after_300_seconds(
    client: Client, clock: ManualClock
) -> None:
    assert run_timers_until(client, clock, 299.9) is None
    assert run_timers_until(client, clock, 300.0) == IDLE_CLOSE


def test_heartbeats_do_not_count_as_activity(client: Client, clock: ManualClock) -> None:
    run_timers_until(client, clock, 299.0)
    assert len(client.replies()) == 9  # heartbeats went out, and were taken
    assert run_timers_until(client, clock, 300.0) == IDLE_CLOSE


def test_any_client_message_restarts_the_idle_timer(client: Client, clock: ManualClock) -> None:
    clock.advance(200.0)
    client.send(type="ping")
    assert run_timers_until(client, clock, 499.9) is None
    assert run_timers_until(client, clock, 500.0) == IDLE_CLOSE


def test_an_invalid_message_is_still_activity(client: Client, clock: ManualClock) -> None:
    clock.advance(200.0)
    client.send_raw("nonsense")
    assert run_timers_until(client, clock, 499.9) is None


def test_a_delivered_price_restarts_the_idle_timer(
    client: Client, clock: ManualClock, hub: Hub
) -> None:
    client.request(type="subscribe", symbols=["BTC/USD"])
    clock.advance(250.0)
    hub.publish(quote())
    client.replies()  # written to the socket: delivered
    assert run_timers_until(client, clock, 549.9) is None
    assert run_timers_until(client, clock, 550.0) == IDLE_CLOSE


def test_a_price_not_yet_delivered_is_not_activity(
    client: Client, clock: ManualClock, hub: Hub
) -> None:
    client.request(type="subscribe", symbols=["BTC/USD"])
    clock.advance(250.0)
    hub.publish(quote())  # queued, never taken: the client is not reading
    assert run_timers_until(client, clock, 300.0) == IDLE_CLOSE


def test_the_idle_timeout_is_configurable(
    connect: Callable[..., Client], clock: ManualClock
) -> None:
    client = connect(idle_timeout=2.0)
    assert run_timers_until(client, clock, 2.0) == IDLE_CLOSE
