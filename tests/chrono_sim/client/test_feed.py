"""`FeedClient` over real sockets: what it retries, and what ends it at once with one error."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncGenerator
from pathlib import Path

import pytest

from chrono_sim.client import (
    Connected,
    Disconnected,
    FeedClient,
    FeedEvent,
    ReconnectPolicy,
    Retrying,
)
from chrono_sim.errors import ServerUnreachableError
from chrono_sim.protocol.keys import DEV_KEY
from tests.support.certificates import make_pki
from tests.support.handshakes import answering, fake_names, hanging_up
from tests.support.servers import StartServer

QUICK = ReconnectPolicy(initial=0.01, maximum=0.05)


def client(url: str) -> FeedClient:
    return FeedClient(url, api_key=DEV_KEY, symbols=["BTC/USD"], policy=QUICK, open_timeout=5)


def events_of(feed: FeedClient) -> AsyncGenerator[FeedEvent, None]:
    events = feed.events()
    assert isinstance(events, AsyncGenerator)  # so that it can be closed when left early
    return events


async def first_events(feed: FeedClient, count: int) -> list[FeedEvent]:
    """The first `count` events; an error the client raises meanwhile propagates."""
    events: list[FeedEvent] = []
    async with asyncio.timeout(10), contextlib.aclosing(events_of(feed)) as stream:
        async for event in stream:
            events.append(event)
            if len(events) == count:
                break
    await feed.aclose()
    return events


# --- an HTTP status answering the handshake ------------------------------------------


async def test_a_wrong_path_ends_at_once_naming_the_url_and_the_status(
    start_server: StartServer,
) -> None:
    server = await start_server()
    url = f"ws://127.0.0.1:{server.port}/wrong"

    with pytest.raises(ServerUnreachableError) as raised:
        await first_events(client(url), 1)

    assert str(raised.value) == (
        f"cannot connect to {url}: handshake answered HTTP 404 Not Found "
        "(no WebSocket endpoint at /wrong; a Chrono server's is /stream)"
    )


@pytest.mark.parametrize("status", [400, 401, 403, 410])
async def test_a_4xx_answer_is_not_retried(status: int) -> None:
    async with answering(status) as server:
        with pytest.raises(ServerUnreachableError, match=f"handshake answered HTTP {status} "):
            await first_events(client(server.url()), 1)

        assert len(server.requests) == 1


@pytest.mark.parametrize("status", [429, 500, 503])
async def test_429_and_5xx_answers_are_retried(status: int) -> None:
    async with answering(status) as server:
        events = await first_events(client(server.url()), 4)

    assert events[0] == Disconnected(None, f"HTTP {status} from server")
    assert isinstance(events[1], Retrying)
    assert isinstance(events[3], Retrying)
    assert events[3].attempt == 2


# --- host names ----------------------------------------------------------------------


async def test_a_host_name_that_does_not_exist_ends_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake_names(monkeypatch, {"nosuch.invalid": socket.EAI_NONAME})
    url = "ws://nosuch.invalid:3000/stream"

    with pytest.raises(ServerUnreachableError) as raised:
        await first_events(client(url), 1)

    assert str(raised.value) == f"cannot connect to {url}: host name not found"


async def test_a_name_lookup_without_an_answer_is_retried(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake_names(monkeypatch, {"flaky.invalid": socket.EAI_AGAIN})

    events = await first_events(client("ws://flaky.invalid:3000/stream"), 2)

    assert events[0] == Disconnected(None, "host name lookup failed for now (no answer from DNS)")
    assert isinstance(events[1], Retrying)


async def test_a_name_that_stops_resolving_after_it_did_is_retried(
    monkeypatch: pytest.MonkeyPatch, start_server: StartServer
) -> None:
    # A VPN or a network that went away: the name may resolve again when it is back.
    names = fake_names(monkeypatch, {"chrono.invalid": "127.0.0.1"})
    server = await start_server()
    feed = client(f"ws://chrono.invalid:{server.port}/stream")
    events: list[FeedEvent] = []
    async with asyncio.timeout(10), contextlib.aclosing(events_of(feed)) as stream:
        async for event in stream:
            events.append(event)
            if isinstance(event, Connected):
                names["chrono.invalid"] = socket.EAI_NONAME
                server.close()  # closes the connection with 1001: the client comes back
            if len(events) > 1 and isinstance(event, Retrying) and event.attempt == 2:
                break
    await feed.aclose()

    assert Disconnected(None, "host name not found") in events


# --- ws:// to a server that speaks TLS -------------------------------------------------


async def test_ws_to_a_tls_server_says_to_try_wss(
    start_server: StartServer, tmp_path: Path
) -> None:
    pki = make_pki(tmp_path)
    server = await start_server(certfile=pki.cert, keyfile=pki.key)

    with pytest.raises(ServerUnreachableError) as raised:
        await first_events(client(f"ws://127.0.0.1:{server.port}/stream"), 1)

    assert str(raised.value) == (
        f"cannot connect to ws://127.0.0.1:{server.port}/stream: "
        f"the server speaks TLS: try wss://127.0.0.1:{server.port}/stream"
    )


async def test_a_server_that_hangs_up_is_retried_not_taken_for_tls() -> None:
    async with hanging_up() as server:
        events = await first_events(client(server.url()), 2)

    assert isinstance(events[0], Disconnected)
    assert "TLS" not in events[0].reason
    assert isinstance(events[1], Retrying)


# --- wss:// to a server that does not speak TLS ------------------------------------------


async def test_wss_to_a_plain_server_says_to_try_ws(start_server: StartServer) -> None:
    server = await start_server()

    with pytest.raises(ServerUnreachableError) as raised:
        await first_events(client(f"wss://127.0.0.1:{server.port}/stream"), 1)

    assert str(raised.value) == (
        f"cannot connect to wss://127.0.0.1:{server.port}/stream: "
        f"the server does not speak TLS: try ws://127.0.0.1:{server.port}/stream"
    )


async def test_wss_to_a_server_that_hangs_up_is_retried_not_taken_for_plain() -> None:
    async with hanging_up() as server:
        url = f"wss://127.0.0.1:{server.port}/stream"
        events = await first_events(client(url), 2)

    assert isinstance(events[0], Disconnected)
    assert "TLS: try" not in events[0].reason
    assert "Error" not in events[0].reason  # a phrase, not a class name
    assert "[SSL" not in events[0].reason  # nor a library's text
    assert isinstance(events[1], Retrying)
