"""The fan-out engine on real sockets: one write per connection per turn, slow readers bounded."""

from __future__ import annotations

import asyncio
import json

from websockets.asyncio.client import connect

from chrono_sim.protocol.keys import DEV_KEY
from chrono_sim.protocol.messages import CloseCode
from chrono_sim.server import ChronoServer
from chrono_sim.server.connection.writer import Flusher
from chrono_sim.server.feed import PUBLISH_BATCH
from tests.support.servers import StartServer
from tests.support.sessions import quote
from tests.support.sockets import bearer, closed_with, receive, url

SUBSCRIBE_BTC = json.dumps({"type": "subscribe", "symbols": ["BTC/USD"]})


class CountingWriter:
    def __init__(self) -> None:
        self.flushes = 0

    def flush(self) -> None:
        self.flushes += 1


async def test_a_connection_marked_many_times_in_one_turn_is_flushed_once() -> None:
    flusher, writer = Flusher(), CountingWriter()
    for _ in range(3):
        flusher.mark(writer)  # type: ignore[arg-type]
    assert writer.flushes == 0  # nothing is written while the feed is still publishing
    await asyncio.sleep(0)
    assert writer.flushes == 1


async def test_updates_published_in_one_turn_arrive_whole_and_in_order(
    server: ChronoServer,
) -> None:
    async with connect(url(server), additional_headers=bearer()) as ws:
        await ws.send(SUBSCRIBE_BTC)
        await receive(ws)
        for step in range(PUBLISH_BATCH):  # one turn, as the feed publishes it: one write
            server.hub.publish(quote("BTC/USD", 100.0 + step))
        seqs = [(await receive(ws))["seq"] for _ in range(PUBLISH_BATCH)]
    assert seqs == list(range(1, PUBLISH_BATCH + 1))


async def test_a_reader_that_falls_behind_catches_up_on_the_latest_prices(
    server: ChronoServer,
) -> None:
    async with connect(url(server), additional_headers=bearer(), max_queue=1) as ws:
        await ws.send(SUBSCRIBE_BTC)
        await receive(ws)
        ws.transport.pause_reading()
        for step in range(200_000):  # far more than the socket buffers hold
            server.hub.publish(quote("BTC/USD", 100.0 + step))
            if step % 500 == 0:
                await asyncio.sleep(0)
        ws.transport.resume_reading()
        seqs: list[int] = []
        while not seqs or seqs[-1] < 200_000:
            seqs.append((await receive(ws))["seq"])
    assert seqs == sorted(seqs)
    assert len(seqs) < 200_000  # the backlog was conflated: it saw gaps, not stale prices


async def test_a_peer_that_reads_nothing_is_closed_1008_too_slow(
    start_server: StartServer,
) -> None:
    # A long close timeout: the close frame waits behind the unread data for the client.
    # Keepalive pings only after the buffers are full: they then wait behind the blocked
    # write, so the stall bound (ping_interval + ping_timeout) is what closes the peer.
    server = await start_server(ping_interval=1.0, ping_timeout=0.2, close_timeout=30)
    async with connect(url(server), additional_headers=bearer(), ping_interval=None) as ws:
        await ws.send(SUBSCRIBE_BTC)
        await receive(ws)
        ws.transport.pause_reading()
        loop = asyncio.get_running_loop()
        deadline, step = loop.time() + 3.0, 0  # well past the 1.2 s stall bound
        while loop.time() < deadline:
            server.hub.publish(quote("BTC/USD", 100.0 + step))
            step += 1
            if step % 200 == 0:
                await asyncio.sleep(0)
        ws.transport.resume_reading()
        assert await closed_with(ws, within=10) == (CloseCode.TOO_SLOW, "too slow")
    assert server.gatekeeper.open_connections(DEV_KEY) == 0
