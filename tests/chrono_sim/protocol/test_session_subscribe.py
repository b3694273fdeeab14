"""`subscribe`: shape, the order of checks, all-or-nothing, canonical echo, snapshots."""

from __future__ import annotations

from collections.abc import Callable

from chrono_sim.protocol.clock import ManualClock
from chrono_sim.protocol.hub import Hub
from chrono_sim.protocol.messages import Error, ErrorCode, PriceUpdate, Subscribed
from tests.support.sessions import Client, quote

TWELVE = [
    "BTC/USD", "ETH/USD", "SOL/USD", "XRP/USD", "ADA/USD", "DOGE/USD",
    "AVAX/USD", "DOT/USD", "LINK/USD", "LTC/USD", "BCH/USD", "ETH/BTC",
]  # fmt: skip


def error_code(reply: object) -> ErrorCode:
    assert isinstance(reply, Error), reply
    return reply.code


def test_subscribed_lists_the_requested_symbols_with_a_timestamp(client: Client) -> None:
    reply = client.request(type="subscribe", symbols=["BTC/USD", "ETH/USD"])
    assert reply == Subscribed(symbols=["BTC/USD", "ETH/USD"], timestamp="2025-10-10T14:30:00.000Z")


def test_symbols_match_case_insensitively_and_echo_canonically(client: Client) -> None:
    reply = client.request(type="subscribe", symbols=["btc/usd", "Eth/Btc"])
    assert isinstance(reply, Subscribed)
    assert reply.symbols == ["BTC/USD", "ETH/BTC"]


def test_duplicates_collapse_keeping_request_order(client: Client) -> None:
    reply = client.request(type="subscribe", symbols=["SOL/USD", "btc/usd", "sol/usd", "BTC/USD"])
    assert isinstance(reply, Subscribed)
    assert reply.symbols == ["SOL/USD", "BTC/USD"]
    assert client.session.symbols == ("SOL/USD", "BTC/USD")


def test_subscribing_to_a_symbol_already_held_is_not_an_error(client: Client) -> None:
    client.request(type="subscribe", symbols=["BTC/USD"])
    reply = client.request(type="subscribe", symbols=["BTC/USD", "ETH/USD"])
    assert isinstance(reply, Subscribed)
    assert reply.symbols == ["BTC/USD", "ETH/USD"]
    assert client.session.symbols == ("BTC/USD", "ETH/USD")


def test_the_id_is_echoed_on_the_reply(client: Client) -> None:
    for message_id in (7, "req-7"):
        reply = client.request(type="subscribe", symbols=["BTC/USD"], id=message_id)
        assert isinstance(reply, Subscribed)
        assert reply.id == message_id


def test_wrong_shapes_are_validation_errors_and_change_nothing(client: Client) -> None:
    for symbols in ([], "BTC/USD", [""], [1], None):
        assert error_code(client.request(type="subscribe", symbols=symbols)) == (
            ErrorCode.VALIDATION_ERROR
        )
    assert error_code(client.request(type="subscribe")) == ErrorCode.VALIDATION_ERROR
    assert error_code(client.request(type="subscribe", symbols=["BTC/USD"], snapshot="yes")) == (
        ErrorCode.VALIDATION_ERROR
    )
    assert client.session.symbols == ()


def test_ten_distinct_symbols_in_one_request_are_allowed(client: Client) -> None:
    reply = client.request(type="subscribe", symbols=TWELVE[:10])
    assert isinstance(reply, Subscribed)
    assert len(client.session.symbols) == 10


def test_more_than_ten_distinct_symbols_in_one_request_is_a_subscription_limit(
    client: Client,
) -> None:
    reply = client.request(type="subscribe", symbols=TWELVE[:11])
    assert error_code(reply) == ErrorCode.SUBSCRIPTION_LIMIT
    assert client.session.symbols == ()


def test_duplicates_do_not_count_towards_the_per_message_limit(client: Client) -> None:
    symbols = [*TWELVE[:10], *(s.lower() for s in TWELVE[:10])]
    assert isinstance(client.request(type="subscribe", symbols=symbols), Subscribed)


def test_unknown_symbols_are_listed_and_nothing_is_applied(client: Client) -> None:
    reply = client.request(type="subscribe", symbols=["BTC/USD", "FOO/USD", "bar"], id=3)
    assert isinstance(reply, Error)
    assert reply.code == ErrorCode.UNKNOWN_SYMBOL
    assert reply.symbols == ["FOO/USD", "bar"]
    assert reply.id == 3
    assert "FOO/USD" in reply.message
    assert client.session.symbols == ()


def test_exceeding_ten_symbols_held_is_a_subscription_limit_and_nothing_is_applied(
    client: Client,
) -> None:
    client.request(type="subscribe", symbols=TWELVE[:8])
    reply = client.request(type="subscribe", symbols=["BTC/USD", *TWELVE[8:11]])
    assert error_code(reply) == ErrorCode.SUBSCRIPTION_LIMIT
    assert client.session.symbols == tuple(TWELVE[:8])


def test_resubscribing_held_symbols_does_not_count_twice_towards_the_limit(client: Client) -> None:
    client.request(type="subscribe", symbols=TWELVE[:9])
    assert isinstance(client.request(type="subscribe", symbols=TWELVE[:10]), Subscribed)


def test_per_message_limit_is_checked_before_unknown_symbols(client: Client) -> None:
    symbols = [f"FAKE{i}/USD" for i in range(11)]
    assert error_code(client.request(type="subscribe", symbols=symbols)) == (
        ErrorCode.SUBSCRIPTION_LIMIT
    )


def test_unknown_symbols_are_checked_before_the_connection_total(client: Client) -> None:
    client.request(type="subscribe", symbols=TWELVE[:10])
    reply = client.request(type="subscribe", symbols=["ETH/BTC", "NOPE/USD"])
    assert error_code(reply) == ErrorCode.UNKNOWN_SYMBOL


def test_shape_is_checked_before_the_per_message_limit(client: Client) -> None:
    reply = client.request(type="subscribe", symbols=[*TWELVE, ""])
    assert error_code(reply) == ErrorCode.VALIDATION_ERROR


def test_subscribed_symbols_receive_published_prices(client: Client, hub: Hub) -> None:
    client.request(type="subscribe", symbols=["BTC/USD"])
    hub.publish(quote("BTC/USD", 45123.5))
    hub.publish(quote("ETH/USD", 3000.0))
    (update,) = client.replies()
    assert update == PriceUpdate(
        symbol="BTC/USD",
        price=45123.5,
        volume=1234567.89,
        timestamp="2025-10-10T14:30:00.000Z",
        source="coinbase",
        seq=1,
    )


def test_snapshot_follows_subscribed_with_the_latest_price_of_each_symbol(
    client: Client, hub: Hub
) -> None:
    hub.publish(quote("BTC/USD", 1.0))
    hub.publish(quote("BTC/USD", 2.0))
    hub.publish(quote("ETH/USD", 3.0))
    client.send(type="subscribe", symbols=["eth/usd", "BTC/USD"], snapshot=True)
    subscribed, eth, btc = client.replies()
    assert isinstance(subscribed, Subscribed)
    assert isinstance(eth, PriceUpdate)
    assert isinstance(btc, PriceUpdate)
    assert (eth.symbol, eth.price, eth.seq, eth.snapshot) == ("ETH/USD", 3.0, 1, True)
    assert (btc.symbol, btc.price, btc.seq, btc.snapshot) == ("BTC/USD", 2.0, 2, True)


def test_snapshot_skips_symbols_that_have_no_price_yet(client: Client) -> None:
    client.send(type="subscribe", symbols=["BTC/USD"], snapshot=True)
    assert [type(reply) for reply in client.replies()] == [Subscribed]


def test_snapshot_replaces_a_pending_live_copy_of_the_same_update(client: Client, hub: Hub) -> None:
    client.request(type="subscribe", symbols=["BTC/USD"])
    hub.publish(quote("BTC/USD", 5.0))  # pending, not yet written
    client.send(type="subscribe", symbols=["BTC/USD"], snapshot=True)
    replies = client.replies()
    assert [(type(r).__name__, getattr(r, "seq", None)) for r in replies] == [
        ("Subscribed", None),
        ("PriceUpdate", 1),
    ]


def test_live_prices_are_not_marked_as_snapshots(client: Client, hub: Hub) -> None:
    client.request(type="subscribe", symbols=["BTC/USD"], snapshot=True)
    hub.publish(quote())
    (update,) = client.replies()
    assert isinstance(update, PriceUpdate)
    assert update.snapshot is not True


def test_subscriptions_are_per_connection(connect: Callable[..., Client], hub: Hub) -> None:
    first, second = connect(), connect()
    first.request(type="subscribe", symbols=["BTC/USD"])
    hub.publish(quote())
    assert len(first.replies()) == 1
    assert second.replies() == []


def test_a_message_timestamp_comes_from_the_clock(client: Client, clock: ManualClock) -> None:
    clock.advance(61.25)
    reply = client.request(type="subscribe", symbols=["BTC/USD"])
    assert isinstance(reply, Subscribed)
    assert reply.timestamp == "2025-10-10T14:31:01.250Z"
