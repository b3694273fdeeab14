"""Operational limits and hostile peers, over real sockets: each protection, and its bystander.

Every malformed-frame case runs beside a well-behaved client on the same
server, which must keep getting its prices and replies. Frames that break
the rules are written by hand (`client_frame`), since a WebSocket library
refuses to send them.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import InvalidStatus

from chrono_sim.protocol.keys import DEV_KEY
from chrono_sim.server import ChronoServer
from tests.support.processes import eventually
from tests.support.servers import StartServer
from tests.support.sessions import quote
from tests.support.sockets import bearer, closed_with, http_get, receive, url

TEXT, BINARY, CONTINUATION, PING = 0x1, 0x2, 0x0, 0x9
PING_MESSAGE = b'{"type":"ping","id":7}'
SHORT_HANDSHAKE = 0.5  # seconds; the tests allow ten times as long before failing


def client_frame(opcode: int, payload: bytes, *, fin: bool = True) -> bytes:
    """One client frame, masked with an all-zero key (legal, and leaves the payload as is)."""
    size = len(payload)
    if size <= 125:
        length = bytes([0x80 | size])
    elif size <= 0xFFFF:
        length = bytes([0x80 | 126]) + size.to_bytes(2, "big")
    else:
        length = bytes([0x80 | 127]) + size.to_bytes(8, "big")
    return bytes([(0x80 if fin else 0) | opcode]) + length + b"\0\0\0\0" + payload


async def subscribed_client(server: ChronoServer) -> ClientConnection:
    ws = await connect(url(server), additional_headers=bearer())
    await ws.send(json.dumps({"type": "subscribe", "symbols": ["BTC/USD"]}))
    assert (await receive(ws))["type"] == "subscribed"
    return ws


async def assert_still_served(server: ChronoServer, ws: ClientConnection) -> None:
    """`ws` receives the next BTC/USD price and gets an answer to a ping."""
    frame = server.hub.publish(quote("BTC/USD", 45000.0 + server.hub.published))
    update = await receive(ws)
    assert update == json.loads(frame)
    await ws.send(json.dumps({"type": "ping", "id": "still-there"}))
    assert (await receive(ws))["id"] == "still-there"


@pytest.fixture
async def neighbour(server: ChronoServer) -> AsyncIterator[ClientConnection]:
    """A well-behaved client subscribed to BTC/USD on `server`."""
    ws = await subscribed_client(server)
    yield ws
    await ws.close()


@pytest.fixture
async def raw(server: ChronoServer) -> AsyncIterator[ClientConnection]:
    """An upgraded connection whose tests write hand-made frames to its transport."""
    async with connect(url(server), additional_headers=bearer(), ping_interval=None) as ws:
        yield ws


async def closed_by_server(reader: asyncio.StreamReader, within: float) -> bool:
    """True once the server ends the TCP connection (EOF or reset) within `within` seconds."""
    try:
        async with asyncio.timeout(within):
            while await reader.read(4096):
                pass
    except ConnectionError:
        return True
    except TimeoutError:
        return False
    return True


# --- server-wide connection cap ------------------------------------------------


async def test_past_max_connections_the_upgrade_is_answered_503(
    start_server: StartServer,
) -> None:
    server = await start_server(max_connections=2)
    streaming = await subscribed_client(server)
    async with connect(url(server), additional_headers=bearer()):
        with pytest.raises(InvalidStatus) as refused:
            await connect(url(server), additional_headers=bearer())
        assert refused.value.response.status_code == 503
        await assert_still_served(server, streaming)
    await streaming.close()


async def test_a_closed_connection_frees_its_place_under_the_cap(
    start_server: StartServer,
) -> None:
    server = await start_server(max_connections=1)
    async with connect(url(server), additional_headers=bearer()) as first:
        await first.send('{"type":"ping"}')
        await receive(first)
    await eventually(lambda: server.open_connections == 0)  # its handler has finished
    async with connect(url(server), additional_headers=bearer()) as second:
        await second.send('{"type":"ping"}')
        assert (await receive(second))["type"] == "pong"


# --- handshake timeout ---------------------------------------------------------


async def test_a_socket_that_sends_nothing_is_dropped_after_the_handshake_timeout(
    start_server: StartServer,
) -> None:
    server = await start_server(handshake_timeout=SHORT_HANDSHAKE)
    started = time.monotonic()  # before connecting: the server's clock starts later
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    assert await closed_by_server(reader, within=10 * SHORT_HANDSHAKE)
    assert time.monotonic() - started >= SHORT_HANDSHAKE * 0.9  # not dropped at once
    writer.close()


async def test_a_header_trickled_byte_by_byte_is_dropped_after_the_handshake_timeout(
    start_server: StartServer,
) -> None:
    server = await start_server(handshake_timeout=SHORT_HANDSHAKE)
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(b"GET /stream HTTP/1.1\r\nHost: 127.0.0.1\r\n")

    async def trickle() -> None:
        # A header that never ends: one byte every 50 ms, as long as the socket takes it.
        try:
            while True:
                writer.write(b"X")
                await writer.drain()
                await asyncio.sleep(0.05)
        except ConnectionError:
            pass

    trickling = asyncio.create_task(trickle())
    try:
        assert await closed_by_server(reader, within=10 * SHORT_HANDSHAKE)
    finally:
        trickling.cancel()
        writer.close()


# --- per-address connection rate, before the key -------------------------------


async def test_the_address_rate_counts_attempts_before_any_key_is_checked(
    start_server: StartServer,
) -> None:
    server = await start_server(ip_connect_rate=3)
    for query in ("", "?api_key=not_a_key", "?api_key=still_not_a_key"):
        async with connect(url(server, query)) as refused:  # upgraded, then 4401
            assert (await closed_with(refused))[0] == 4401
    with pytest.raises(InvalidStatus) as good_key:
        await connect(url(server), additional_headers=bearer(DEV_KEY))
    assert good_key.value.response.status_code == 429
    with pytest.raises(InvalidStatus) as bad_key:
        await connect(url(server, "?api_key=not_a_key"))
    assert bad_key.value.response.status_code == 429  # not 4401: the key was never read


# --- malformed frames ----------------------------------------------------------


async def test_a_fragmented_text_message_is_reassembled_and_answered(
    server: ChronoServer, neighbour: ClientConnection, raw: ClientConnection
) -> None:
    raw.transport.write(
        client_frame(TEXT, PING_MESSAGE[:5], fin=False)
        + client_frame(CONTINUATION, PING_MESSAGE[5:12], fin=False)
        + client_frame(CONTINUATION, PING_MESSAGE[12:])
    )
    reply = await receive(raw)
    assert (reply["type"], reply["id"]) == ("pong", 7)
    await assert_still_served(server, neighbour)


async def test_fragments_adding_up_to_over_one_mebibyte_close_1009(
    server: ChronoServer, neighbour: ClientConnection, raw: ClientConnection
) -> None:
    piece = b" " * (100 * 1024)
    fragments = [client_frame(TEXT, b"[", fin=False)]
    fragments += [client_frame(CONTINUATION, piece, fin=False) for _ in range(11)]
    fragments.append(client_frame(CONTINUATION, b"]"))
    raw.transport.write(b"".join(fragments))
    assert (await closed_with(raw))[0] == 1009
    await assert_still_served(server, neighbour)


async def test_invalid_utf8_in_a_text_frame_closes_1007(
    server: ChronoServer, neighbour: ClientConnection, raw: ClientConnection
) -> None:
    raw.transport.write(client_frame(TEXT, b'{"type":"ping","id":"\xff\xfe"}'))
    assert (await closed_with(raw))[0] == 1007
    await assert_still_served(server, neighbour)


async def test_a_control_frame_over_125_bytes_closes_1002(
    server: ChronoServer, neighbour: ClientConnection, raw: ClientConnection
) -> None:
    raw.transport.write(client_frame(PING, b"x" * 126))
    assert (await closed_with(raw))[0] == 1002
    await assert_still_served(server, neighbour)


async def test_a_binary_frame_gets_validation_error_and_the_connection_stays_open(
    server: ChronoServer, neighbour: ClientConnection, raw: ClientConnection
) -> None:
    raw.transport.write(client_frame(BINARY, PING_MESSAGE))
    error = await receive(raw)
    assert (error["type"], error["code"]) == ("error", "VALIDATION_ERROR")
    raw.transport.write(client_frame(TEXT, PING_MESSAGE))
    assert (await receive(raw))["type"] == "pong"
    await assert_still_served(server, neighbour)


async def test_a_flood_of_protocol_pings_closes_1008_too_many_pings(
    server: ChronoServer, neighbour: ClientConnection, raw: ClientConnection
) -> None:
    """Thousands of pings, none of their pongs read: the server must not queue pongs forever."""
    raw.transport.pause_reading()
    raw.transport.write(client_frame(PING, b"p" * 125) * 5000)
    await asyncio.sleep(0.2)
    raw.transport.resume_reading()
    assert await closed_with(raw) == (1008, "too many pings")
    await assert_still_served(server, neighbour)


async def test_protocol_pings_at_a_keepalive_pace_are_answered(
    server: ChronoServer, raw: ClientConnection
) -> None:
    for _ in range(3):
        latency = await asyncio.wait_for(await raw.ping(), timeout=5)
        assert latency >= 0
    await raw.send(PING_MESSAGE.decode())
    assert (await receive(raw))["type"] == "pong"


async def test_the_docs_page_states_the_ping_ration_and_its_close_code(
    start_server: StartServer,
) -> None:
    server = await start_server(max_pings_per_minute=90, close_timeout=7)
    status, _, body = await http_get(server, "/docs")
    page = body.decode()
    assert status == 200
    assert "90 per minute" in page
    assert "too many pings" in page
    assert "<td>7 s</td>" in page
