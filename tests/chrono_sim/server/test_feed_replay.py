"""A replay served over real sockets: max speed loses nothing, paced keeps the rhythm."""

from __future__ import annotations

import asyncio
import itertools
import json
import socket
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

from chrono_sim.protocol.clock import SystemClock
from chrono_sim.protocol.keys import DEV_KEY
from chrono_sim.sources import ReplaySource
from tests.support.servers import StartServer
from tests.support.sockets import http_get, receive, url
from tests.support.tapes import evenly

SYMBOLS = ["BTC/USD", "ETH/USD", "SOL/USD", "XRP/USD"]


async def subscribe(ws: ClientConnection, symbols: Sequence[str]) -> None:
    await ws.send(json.dumps({"type": "subscribe", "symbols": list(symbols)}))
    assert (await receive(ws))["type"] == "subscribed"


async def prices(ws: ClientConnection, count: int) -> list[dict[str, Any]]:
    updates = [await receive(ws) for _ in range(count)]
    assert all(update["type"] == "price_update" for update in updates)
    return updates


def assert_no_gaps(updates: list[dict[str, Any]]) -> None:
    seqs: dict[str, list[int]] = defaultdict(list)
    for update in updates:
        seqs[update["symbol"]].append(update["seq"])
    for numbers in seqs.values():
        assert numbers == list(range(numbers[0], numbers[0] + len(numbers)))


def epoch(timestamp: str) -> float:
    return datetime.fromisoformat(timestamp).timestamp()


async def test_a_max_speed_replay_delivers_every_update_in_order(start_server: StartServer) -> None:
    tape = evenly(2000, 250, SYMBOLS)
    server = await start_server(source=ReplaySource(tape, clock=SystemClock(), speed=None))
    async with connect(url(server, f"?api_key={DEV_KEY}")) as ws:
        await subscribe(ws, SYMBOLS)
        updates = await prices(ws, 2000)

    assert [update["price"] for update in updates] == tape.price.tolist()
    assert [update["seq"] for update in updates if update["symbol"] == "BTC/USD"] == list(
        range(1, 501)
    )
    assert_no_gaps(updates)


async def test_a_max_speed_replay_waits_for_its_first_subscriber(start_server: StartServer) -> None:
    tape = evenly(50, 250, SYMBOLS[:1])
    server = await start_server(source=ReplaySource(tape, clock=SystemClock(), speed=None))
    async with connect(url(server, f"?api_key={DEV_KEY}")) as ws:
        await asyncio.sleep(0.2)
        assert server.hub.published == 0

        await subscribe(ws, SYMBOLS[:1])

        updates = await prices(ws, 50)
    assert [(update["price"], update["seq"]) for update in updates[:2]] == [(1.0, 1), (2.0, 2)]


async def test_a_paced_replay_starts_with_its_first_subscriber(start_server: StartServer) -> None:
    tape = evenly(20, 1000, SYMBOLS[:1])
    server = await start_server(source=ReplaySource(tape, clock=SystemClock(), speed=1000.0))
    async with connect(url(server, f"?api_key={DEV_KEY}")) as ws:
        await asyncio.sleep(0.1)  # the whole tape, at this speed
        assert server.hub.published == 0

        await subscribe(ws, SYMBOLS[:1])

        updates = await prices(ws, 20)
    assert [update["seq"] for update in updates] == list(range(1, 21))


async def test_a_reader_that_pauses_holds_a_max_speed_replay_back_and_misses_nothing(
    start_server: StartServer,
) -> None:
    tape = evenly(10_000, 10, SYMBOLS)
    server = await start_server(source=ReplaySource(tape, clock=SystemClock(), speed=None))
    # Small socket buffers (accepted sockets inherit the listener's), so a pause in
    # reading reaches the server after a few frames rather than megabytes.
    server.sockets[0].setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", server.port))
    sock.setblocking(False)
    async with (
        connect(url(server, f"?api_key={DEV_KEY}"), sock=sock, max_queue=1) as slow,
        connect(url(server, f"?api_key={DEV_KEY}")) as fast,
    ):
        await subscribe(slow, SYMBOLS)
        await subscribe(fast, SYMBOLS)
        await asyncio.sleep(0.5)  # the slow client reads nothing for a while
        assert server.hub.published < len(tape)

        async def until_the_last(ws: ClientConnection) -> list[dict[str, Any]]:
            updates = [await receive(ws)]
            while updates[-1]["price"] < len(tape):
                updates.append(await receive(ws))
            return updates

        slow_updates, fast_updates = await asyncio.gather(
            until_the_last(slow), until_the_last(fast)
        )

    assert [update["price"] for update in slow_updates] == tape.price.tolist()
    assert_no_gaps(fast_updates)  # it joined later, and loses nothing from there on


async def test_a_paced_replay_keeps_the_recorded_rhythm_divided_by_the_speed(
    start_server: StartServer,
) -> None:
    tape = evenly(50, 5000, SYMBOLS[:2])  # 5 s apart, at speed 1000: 5 ms apart
    source = ReplaySource(tape, clock=SystemClock(), speed=1000.0, loop=True)
    server = await start_server(source=source)
    async with connect(url(server, f"?api_key={DEV_KEY}")) as ws:
        await subscribe(ws, SYMBOLS[:2])
        loop = asyncio.get_running_loop()
        started = loop.time()
        updates = await prices(ws, 100)
        elapsed = loop.time() - started

    assert elapsed >= 99 * 0.005 * 0.9
    assert_no_gaps(updates)
    steps = [round(b["price"] - a["price"]) for a, b in itertools.pairwise(updates)]
    assert set(steps) <= {1, -49}  # the tape's order, starting again after its last update
    gaps_ms = [
        round((epoch(b["timestamp"]) - epoch(a["timestamp"])) * 1000)
        for a, b in itertools.pairwise(updates)
    ]
    assert all(4 <= gap <= 6 for gap in gaps_ms), gaps_ms


async def test_after_a_replay_ends_the_server_stays_up(start_server: StartServer) -> None:
    tape = evenly(10, 250, SYMBOLS[:1])
    source = ReplaySource(tape, clock=SystemClock(), speed=None)
    server = await start_server(source=source)
    async with connect(url(server, f"?api_key={DEV_KEY}")) as ws:
        await subscribe(ws, SYMBOLS[:1])
        await prices(ws, 10)
    assert source.next_due() is None  # exhausted: the feed has nothing more to publish

    async with connect(url(server, f"?api_key={DEV_KEY}")) as ws:
        await ws.send('{"type": "ping"}')
        assert (await receive(ws))["type"] == "pong"


async def test_the_symbols_offered_are_those_of_the_replayed_tape(
    start_server: StartServer,
) -> None:
    tape = evenly(10, 250, ["SOL/USD", "DOGE/USD"])
    server = await start_server(source=ReplaySource(tape, clock=SystemClock(), speed=1.0))

    status, _, body = await http_get(server, "/symbols")

    assert status == 200
    assert [entry["symbol"] for entry in json.loads(body)["symbols"]] == ["SOL/USD", "DOGE/USD"]
