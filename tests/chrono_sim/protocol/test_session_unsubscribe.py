"""`unsubscribe`: explicit symbols or all, what the reply lists, no prices afterwards."""

from __future__ import annotations

from chrono_sim.protocol.hub import Hub
from chrono_sim.protocol.messages import Error, ErrorCode, PriceUpdate, Unsubscribed
from tests.support.sessions import Client, quote


def test_unsubscribe_lists_the_symbols_actually_removed(client: Client) -> None:
    client.request(type="subscribe", symbols=["BTC/USD", "ETH/USD"])
    reply = client.request(type="unsubscribe", symbols=["eth/usd", "SOL/USD", "NOPE"], id=2)
    assert reply == Unsubscribed(symbols=["ETH/USD"], timestamp=reply.timestamp, id=2)
    assert client.session.symbols == ("BTC/USD",)


def test_unsubscribe_without_symbols_removes_everything(client: Client) -> None:
    client.request(type="subscribe", symbols=["BTC/USD", "ETH/USD"])
    reply = client.request(type="unsubscribe")
    assert isinstance(reply, Unsubscribed)
    assert reply.symbols == ["BTC/USD", "ETH/USD"]
    assert client.session.symbols == ()


def test_unsubscribe_of_nothing_held_replies_with_an_empty_list(client: Client) -> None:
    reply = client.request(type="unsubscribe", symbols=["BTC/USD"])
    assert isinstance(reply, Unsubscribed)
    assert reply.symbols == []


def test_unsubscribe_symbols_must_be_a_non_empty_list_of_strings(client: Client) -> None:
    for symbols in ([], None, "BTC/USD", [3]):
        reply = client.request(type="unsubscribe", symbols=symbols)
        assert isinstance(reply, Error)
        assert reply.code == ErrorCode.VALIDATION_ERROR


def test_no_price_of_a_symbol_follows_its_unsubscribed(client: Client, hub: Hub) -> None:
    client.request(type="subscribe", symbols=["BTC/USD", "ETH/USD"])
    hub.publish(quote("BTC/USD"))  # pending, unwritten
    hub.publish(quote("ETH/USD"))
    client.send(type="unsubscribe", symbols=["BTC/USD"])
    hub.publish(quote("BTC/USD"))
    replies = client.replies()
    assert [type(r) for r in replies] == [Unsubscribed, PriceUpdate]
    assert isinstance(replies[1], PriceUpdate)
    assert replies[1].symbol == "ETH/USD"


def test_unsubscribed_symbols_free_room_under_the_limit(client: Client) -> None:
    symbols = ["BTC/USD", "ETH/USD", "SOL/USD", "XRP/USD", "ADA/USD"]
    symbols += ["DOGE/USD", "AVAX/USD", "DOT/USD", "LINK/USD", "LTC/USD"]
    client.request(type="subscribe", symbols=symbols)
    client.request(type="unsubscribe", symbols=["BTC/USD"])
    reply = client.request(type="subscribe", symbols=["ETH/BTC"])
    assert reply.symbols == ["ETH/BTC"]  # type: ignore[union-attr]
