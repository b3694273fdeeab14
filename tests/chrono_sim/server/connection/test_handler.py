"""The wiring, proved over real sockets: auth forms, prices, refusals, timers, 1009, 1001."""

from __future__ import annotations

import asyncio
import json

from websockets.asyncio.client import connect

from chrono_sim.protocol.keys import DEV_KEY
from chrono_sim.server import ChronoServer
from tests.support.servers import StartServer
from tests.support.sessions import quote
from tests.support.sockets import TIGHT_KEY, bearer, closed_with, receive, url


async def test_bearer_header_subscribe_then_prices_flow(server: ChronoServer) -> None:
    async with connect(url(server), additional_headers=bearer()) as ws:
        await ws.send(json.dumps({"type": "subscribe", "symbols": ["btc/usd"], "id": 1}))
        subscribed = await receive(ws)
        assert (subscribed["type"], subscribed["symbols"], subscribed["id"]) == (
            "subscribed",
            ["BTC/USD"],
            1,
        )
        server.hub.publish(quote("BTC/USD", 45123.5))
        update = await receive(ws)
        assert (update["type"], update["symbol"], update["price"], update["seq"]) == (
            "price_update",
            "BTC/USD",
            45123.5,
            1,
        )


async def test_query_parameter_authenticates_browsers(server: ChronoServer) -> None:
    async with connect(url(server, f"?api_key={DEV_KEY}")) as ws:
        await ws.send('{"type":"ping"}')
        assert (await receive(ws))["type"] == "pong"


async def test_unknown_key_gets_an_error_then_close_4401(server: ChronoServer) -> None:
    async with connect(url(server), additional_headers=bearer("nope_nope_nope")) as ws:
        error = await receive(ws)
        assert (error["type"], error["code"]) == ("error", "UNAUTHORIZED")
        assert await closed_with(ws) == (4401, "unauthorized")


async def test_a_repeated_authorization_header_uses_the_first(server: ChronoServer) -> None:
    headers = [("Authorization", f"Bearer {DEV_KEY}"), ("Authorization", "Bearer other")]
    async with connect(url(server), additional_headers=headers) as ws:
        await ws.send('{"type":"ping"}')
        assert (await receive(ws))["type"] == "pong"


async def test_missing_key_gets_close_4401(server: ChronoServer) -> None:
    async with connect(url(server)) as ws:
        assert (await receive(ws))["code"] == "UNAUTHORIZED"
        assert (await closed_with(ws))[0] == 4401


async def test_connection_over_the_key_limit_gets_close_4429_and_does_not_count(
    server: ChronoServer,
) -> None:
    headers = bearer(TIGHT_KEY.key)
    async with connect(url(server), additional_headers=headers) as first:
        async with connect(url(server), additional_headers=headers):
            async with connect(url(server), additional_headers=headers) as third:
                assert (await receive(third))["code"] == "CONNECTION_LIMIT"
                assert await closed_with(third) == (4429, "connection limit")
            assert server.gatekeeper.open_connections(TIGHT_KEY.key) == 2
        await first.send('{"type":"ping"}')
        await receive(first)
    await asyncio.sleep(0)  # let the server's handlers finish
    for _ in range(100):
        if server.gatekeeper.open_connections(TIGHT_KEY.key) == 0:
            break
        await asyncio.sleep(0.01)
    assert server.gatekeeper.open_connections(TIGHT_KEY.key) == 0


async def test_heartbeat_then_idle_timeout_4408(start_server: StartServer) -> None:
    server = await start_server(heartbeat_interval=0.1, idle_timeout=0.35)
    async with connect(url(server), additional_headers=bearer()) as ws:
        heartbeat = await receive(ws)
        assert set(heartbeat) == {"type", "timestamp"}
        assert heartbeat["type"] == "pong"
        assert await closed_with(ws) == (4408, "idle timeout")


async def test_a_message_over_one_mebibyte_closes_with_1009(server: ChronoServer) -> None:
    async with connect(url(server), additional_headers=bearer(), max_size=None) as ws:
        await ws.send("x" * (1 << 20))  # exactly 1 MiB is allowed: it is just invalid JSON
        assert (await receive(ws))["code"] == "VALIDATION_ERROR"
        await ws.send("x" * ((1 << 20) + 1))
        assert (await closed_with(ws))[0] == 1009


async def test_a_binary_frame_is_answered_and_the_connection_stays_open(
    server: ChronoServer,
) -> None:
    async with connect(url(server), additional_headers=bearer()) as ws:
        await ws.send(b"\x00\x01")
        assert (await receive(ws))["code"] == "VALIDATION_ERROR"
        await ws.send('{"type":"ping"}')
        assert (await receive(ws))["type"] == "pong"


async def test_a_client_that_stops_reading_does_not_slow_the_others(
    server: ChronoServer,
) -> None:
    subscribe = json.dumps({"type": "subscribe", "symbols": ["BTC/USD"]})
    async with (
        connect(url(server), additional_headers=bearer(), max_queue=1) as stalled,
        connect(url(server), additional_headers=bearer()) as healthy,
    ):
        for ws in (stalled, healthy):
            await ws.send(subscribe)
            await receive(ws)
        stalled.transport.pause_reading()  # the stalled client reads nothing more
        for step in range(2000):
            server.hub.publish(quote("BTC/USD", 100.0 + step))
            if step % 100 == 0:
                await asyncio.sleep(0)
        seqs: list[int] = []
        while not seqs or seqs[-1] < 2000:
            seqs.append((await receive(healthy))["seq"])
        assert seqs[-1] == 2000
        stalled.transport.abort()


async def test_a_peer_that_reads_nothing_is_dropped_and_frees_its_slot(
    start_server: StartServer,
) -> None:
    """Even while the server has stopped reading its requests (reply backlog full)."""
    server = await start_server(
        reply_backlog_bytes=200, ping_interval=0.2, ping_timeout=0.2, close_timeout=0.5
    )
    async with connect(url(server), additional_headers=bearer(), ping_interval=None) as ws:
        ws.transport.pause_reading()  # reads nothing: no replies, no pongs, no close frames
        for _ in range(200):
            await ws.send('{"type":"ping"}')
        for _ in range(300):
            if server.gatekeeper.open_connections(DEV_KEY) == 0:
                break
            await asyncio.sleep(0.02)
        assert server.gatekeeper.open_connections(DEV_KEY) == 0
        ws.transport.abort()


async def test_a_peer_that_stops_reading_a_busy_feed_is_dropped_and_frees_its_slot(
    start_server: StartServer,
) -> None:
    """Its socket buffers fill, so the server's writes block: the stall bound drops it."""
    server = await start_server(ping_interval=0.3, ping_timeout=0.3, close_timeout=0.5)
    async with connect(url(server), additional_headers=bearer(), ping_interval=None) as ws:
        await ws.send(json.dumps({"type": "subscribe", "symbols": ["BTC/USD"]}))
        await receive(ws)
        ws.transport.pause_reading()
        # How much the kernel buffers before the server's writes block depends on the
        # machine (tens of MB with autotuning): publish until dropped, or give up.
        for step in range(5_000_000):
            server.hub.publish(quote("BTC/USD", 100.0 + step))
            if step % 200 == 0:
                await asyncio.sleep(0)
                if server.gatekeeper.open_connections(DEV_KEY) == 0:
                    break
        assert server.gatekeeper.open_connections(DEV_KEY) == 0
        ws.transport.abort()


async def test_shutdown_closes_connections_with_1001(start_server: StartServer) -> None:
    server = await start_server()
    async with connect(url(server), additional_headers=bearer()) as ws:
        server.close()
        assert (await closed_with(ws))[0] == 1001
    await server.wait_closed()
