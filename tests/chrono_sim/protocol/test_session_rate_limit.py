"""The per-key request rate: subscribe and unsubscribe cost a token, ping is free."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from chrono_sim.protocol.clock import ManualClock
from chrono_sim.protocol.messages import Error, ErrorCode, Pong, Subscribed, Unsubscribed
from tests.support.sessions import Client

# One token went to admitting the connection, so 119 remain of the minute's 120.
REQUESTS_LEFT = 119


def spend(client: Client, count: int) -> None:
    for _ in range(count):
        assert isinstance(client.request(type="subscribe", symbols=["BTC/USD"]), Subscribed)


def test_over_the_rate_a_subscribe_is_refused_with_retry_after(client: Client) -> None:
    spend(client, REQUESTS_LEFT)
    reply = client.request(type="subscribe", symbols=["ETH/USD"], id=1)
    assert isinstance(reply, Error)
    assert reply.code == ErrorCode.RATE_LIMITED
    assert reply.retry_after_ms == 500  # 120 per minute refill one token every 0.5 s
    assert reply.id == 1
    assert client.session.symbols == ("BTC/USD",)


def test_over_the_rate_an_unsubscribe_is_refused_and_changes_nothing(client: Client) -> None:
    spend(client, REQUESTS_LEFT)
    reply = client.request(type="unsubscribe")
    assert isinstance(reply, Error)
    assert reply.code == ErrorCode.RATE_LIMITED
    assert client.session.symbols == ("BTC/USD",)


def test_ping_is_free(client: Client) -> None:
    spend(client, REQUESTS_LEFT)
    assert isinstance(client.request(type="ping"), Pong)


def test_tokens_refill_continuously(client: Client, clock: ManualClock) -> None:
    spend(client, REQUESTS_LEFT)
    clock.advance(0.5)
    assert isinstance(client.request(type="unsubscribe"), Unsubscribed)
    assert isinstance(client.request(type="unsubscribe"), Error)


def test_the_rate_is_shared_by_all_connections_of_a_key(connect: Callable[..., Client]) -> None:
    first = connect()
    second = connect()  # its admission spent a token too
    spend(first, REQUESTS_LEFT - 1)
    reply = second.request(type="subscribe", symbols=["BTC/USD"])
    assert isinstance(reply, Error)
    assert reply.code == ErrorCode.RATE_LIMITED


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ({"type": "subscribe", "symbols": []}, ErrorCode.VALIDATION_ERROR),
        (
            {"type": "subscribe", "symbols": [f"S{i}" for i in range(11)]},
            ErrorCode.SUBSCRIPTION_LIMIT,
        ),
    ],
)
def test_shape_and_per_message_limit_are_checked_before_the_rate(
    client: Client, message: dict[str, object], expected: ErrorCode
) -> None:
    spend(client, REQUESTS_LEFT)
    reply = client.request(**message)
    assert isinstance(reply, Error)
    assert reply.code == expected


def test_the_rate_is_checked_before_unknown_symbols(client: Client) -> None:
    spend(client, REQUESTS_LEFT)
    reply = client.request(type="subscribe", symbols=["NOPE/USD"])
    assert isinstance(reply, Error)
    assert reply.code == ErrorCode.RATE_LIMITED


def test_a_request_refused_after_the_rate_check_still_costs_a_token(client: Client) -> None:
    spend(client, REQUESTS_LEFT - 1)
    client.request(type="subscribe", symbols=["NOPE/USD"])
    reply = client.request(type="subscribe", symbols=["BTC/USD"])
    assert isinstance(reply, Error)
    assert reply.code == ErrorCode.RATE_LIMITED
