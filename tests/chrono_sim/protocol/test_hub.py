"""The hub numbers each symbol's updates and encodes each one once for all subscribers."""

from __future__ import annotations

import json

from chrono_sim.protocol.hub import Hub
from chrono_sim.protocol.wire import text_frame, text_payloads
from tests.support.sessions import quote


class Recorder:
    def __init__(self, pending_prices: int = 0) -> None:
        self.frames: list[bytes] = []
        self.pending_prices = pending_prices  # what a session reports for flow control

    def deliver(self, symbol: str, frame: bytes) -> None:
        self.frames.append(frame)


def test_seq_grows_by_one_per_update_of_each_symbol(hub: Hub) -> None:
    seqs = [json.loads(hub.publish(quote(symbol)))["seq"] for symbol in ("A", "A", "B", "A")]
    assert seqs == [1, 2, 1, 3]


def test_one_frame_of_the_update_goes_to_every_subscriber(hub: Hub) -> None:
    recorders = [Recorder() for _ in range(3)]
    for recorder in recorders:
        hub.subscribe(recorder, ["BTC/USD"])
    payload = hub.publish(quote())
    first = recorders[0].frames[0]
    assert all(recorder.frames[0] is first for recorder in recorders)  # framed once, not copied
    assert first == text_frame(payload)


def test_price_update_has_exactly_the_documented_fields_plus_seq(hub: Hub) -> None:
    frame = hub.publish(quote("BTC/USD", 45123.5))
    assert frame == (
        b'{"type":"price_update","symbol":"BTC/USD","price":45123.5,"volume":1234567.89,'
        b'"timestamp":"2025-10-10T14:30:00.000Z","source":"coinbase","seq":1}'
    )


def test_seq_counts_updates_published_without_subscribers(hub: Hub) -> None:
    hub.publish(quote())
    recorder = Recorder()
    hub.subscribe(recorder, ["BTC/USD"])
    hub.publish(quote())
    assert json.loads(text_payloads(recorder.frames[0])[0])["seq"] == 2


def test_snapshot_is_the_latest_update_marked_as_snapshot(hub: Hub) -> None:
    assert hub.snapshot("BTC/USD") is None
    hub.publish(quote(price=1.0))
    hub.publish(quote(price=2.0))
    snapshot = hub.snapshot("BTC/USD")
    assert snapshot is not None
    assert json.loads(text_payloads(snapshot)[0]) == {
        "type": "price_update",
        "symbol": "BTC/USD",
        "price": 2.0,
        "volume": 1234567.89,
        "timestamp": "2025-10-10T14:30:00.000Z",
        "source": "coinbase",
        "seq": 2,
        "snapshot": True,
    }


def test_unsubscribed_subscribers_get_nothing(hub: Hub) -> None:
    recorder = Recorder()
    hub.subscribe(recorder, ["BTC/USD"])
    hub.unsubscribe(recorder, ["BTC/USD"])
    hub.publish(quote())
    assert recorder.frames == []
    assert hub.subscriber_count("BTC/USD") == 0


# --- room for a client-paced feed -------------------------------------------------


def test_there_is_no_room_without_a_subscriber(hub: Hub) -> None:
    """A max-speed replay waits for its first subscriber instead of playing to nobody."""
    assert not hub.has_room(128)


def test_there_is_room_when_every_subscriber_is_within_the_limit(hub: Hub) -> None:
    hub.subscribe(Recorder(pending_prices=0), ["BTC/USD"])
    hub.subscribe(Recorder(pending_prices=128), ["ETH/USD"])

    assert hub.has_room(128)


def test_one_subscriber_past_the_limit_leaves_no_room(hub: Hub) -> None:
    hub.subscribe(Recorder(pending_prices=0), ["BTC/USD"])
    hub.subscribe(Recorder(pending_prices=129), ["ETH/USD"])

    assert not hub.has_room(128)


def test_a_subscriber_that_left_every_symbol_no_longer_holds_the_feed_back(hub: Hub) -> None:
    slow = Recorder(pending_prices=500)
    hub.subscribe(Recorder(), ["BTC/USD"])
    hub.subscribe(slow, ["BTC/USD", "ETH/USD"])
    hub.unsubscribe(slow, ["BTC/USD"])
    assert not hub.has_room(128)

    hub.unsubscribe(slow, ["ETH/USD", "ETH/USD"])

    assert hub.has_room(128)


def test_subscribing_twice_to_a_symbol_needs_one_unsubscribe(hub: Hub) -> None:
    recorder = Recorder()
    hub.subscribe(recorder, ["BTC/USD"])
    hub.subscribe(recorder, ["BTC/USD"])
    hub.unsubscribe(recorder, ["BTC/USD"])

    assert not hub.has_room(128)


def test_has_subscribers_while_anyone_holds_a_symbol(hub: Hub) -> None:
    recorder = Recorder()
    assert not hub.has_subscribers
    hub.subscribe(recorder, ["BTC/USD"])
    assert hub.has_subscribers
    hub.unsubscribe(recorder, ["BTC/USD"])
    assert not hub.has_subscribers
