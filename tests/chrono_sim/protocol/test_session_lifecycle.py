"""What a connection's end releases, and how a client that stops reading is bounded."""

from __future__ import annotations

from collections.abc import Callable

from chrono_sim.protocol.admission import Gatekeeper
from chrono_sim.protocol.hub import Hub
from chrono_sim.protocol.keys import DEV_KEY
from chrono_sim.protocol.limits import ProtocolLimits
from chrono_sim.protocol.messages import PriceUpdate
from tests.support.sessions import Client, quote

SYMBOLS = ["BTC/USD", "ETH/USD", "SOL/USD"]


def test_closing_a_session_releases_its_connection_slot(
    client: Client, gatekeeper: Gatekeeper
) -> None:
    assert gatekeeper.open_connections(DEV_KEY) == 1
    client.session.close()
    client.session.close()
    assert gatekeeper.open_connections(DEV_KEY) == 0


def test_closing_a_session_leaves_the_hub(client: Client, hub: Hub) -> None:
    client.request(type="subscribe", symbols=["BTC/USD"])
    client.session.close()
    assert hub.subscriber_count("BTC/USD") == 0


def test_a_client_that_keeps_up_receives_every_update_of_a_burst(client: Client, hub: Hub) -> None:
    client.request(type="subscribe", symbols=SYMBOLS)
    for step in range(50):
        for symbol in SYMBOLS:
            hub.publish(quote(symbol, 100.0 + step))
    updates = client.replies()
    assert [(u.symbol, u.seq) for u in updates] == [  # type: ignore[union-attr]
        (symbol, step) for step in range(1, 51) for symbol in SYMBOLS
    ]


def test_a_client_that_stops_reading_is_conflated_to_the_latest_price_per_symbol(
    client: Client, hub: Hub, limits: ProtocolLimits
) -> None:
    client.request(type="subscribe", symbols=SYMBOLS)
    for step in range(10_000):
        for symbol in SYMBOLS:
            hub.publish(quote(symbol, 100.0 + step))
        assert len(client.session.outbox) <= limits.price_backlog
    latest = client.replies()[-len(SYMBOLS) :]
    assert all(isinstance(update, PriceUpdate) for update in latest)
    assert [(u.symbol, u.seq, u.price) for u in latest] == [  # type: ignore[union-attr]
        (symbol, 10_000, 10_099.0) for symbol in SYMBOLS
    ]


def test_unread_replies_mark_the_session_backlogged_by_their_size(
    connect: Callable[..., Client],
) -> None:
    client = connect(reply_backlog_bytes=1000)
    client.send(type="ping", id="x" * 400)
    assert not client.session.backlogged
    client.send(type="ping", id="x" * 400)
    client.send(type="ping", id="x" * 400)
    assert client.session.backlogged
    client.replies()
    assert not client.session.backlogged
