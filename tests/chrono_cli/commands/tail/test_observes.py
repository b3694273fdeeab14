"""`chrono tail` reports what a client can observe of faults, from frames crafted to show each.

A tiny `/stream` server in the test sends chosen `seq`s and timestamps and drops
the connection without a close frame; the real `chrono tail` must name each
fault on stderr as it comes and sum them all up when it ends.
"""

from __future__ import annotations

import asyncio
import json
import signal
import time
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from websockets.asyncio.server import ServerConnection, serve

from chrono_sim.protocol.timestamps import format_timestamp
from tests.support.processes import Cli, eventually, start_cli

Script = Callable[[ServerConnection, int], Awaitable[None]]


def update(seq: int, *, late_by: float = 0.0) -> str:
    return json.dumps({
        "type": "price_update", "symbol": "BTC/USD", "price": 95000.0 + seq, "volume": 1.0,
        "timestamp": format_timestamp(time.time() - late_by), "source": "test", "seq": seq,
    })  # fmt: skip


async def subscribed(ws: ServerConnection) -> None:
    request = json.loads(await ws.recv())
    reply = {"type": "subscribed", "symbols": request["symbols"], "id": request["id"]}
    await ws.send(json.dumps({**reply, "timestamp": format_timestamp(time.time())}))


@pytest.fixture
async def crafted() -> AsyncIterator[Callable[[Script], Awaitable[str]]]:
    """Serve `script(connection, n)` to the n-th connection (from 1); yields the server's URL."""
    servers = []

    async def _serve(script: Script) -> str:
        connections = 0

        async def handler(ws: ServerConnection) -> None:
            nonlocal connections
            connections += 1
            await subscribed(ws)
            await script(ws, connections)
            await ws.wait_closed()

        server = await serve(handler, "127.0.0.1", 0)
        servers.append(server)
        port = next(iter(server.sockets)).getsockname()[1]
        return f"ws://127.0.0.1:{port}/stream"

    yield _serve
    for server in servers:
        server.close()
        await server.wait_closed()


async def tail(processes: list[Cli], url: str, *args: str) -> Cli:
    cli = await start_cli("tail", "BTC/USD", "--json", "--url", url, *args)
    processes.append(cli)  # killed if the test fails before it ends
    return cli


def summary(cli: Cli) -> str:
    lines = [line for line in cli.stderr if line.startswith("chrono tail: summary: ")]
    assert len(lines) == 1, cli.stderr
    return lines[0].removeprefix("chrono tail: summary: ")


async def test_each_fault_is_named_as_it_comes_and_counted_at_the_end(
    crafted: Callable[[Script], Awaitable[str]], processes: list[Cli]
) -> None:
    async def script(ws: ServerConnection, connection: int) -> None:
        if connection == 1:
            for seq in (1, 2, 4, 3, 3):  # 3 missed, then out of order, then repeated
                await ws.send(update(seq))
            await ws.send(update(5, late_by=0.5))
            await asyncio.sleep(1.3)  # silence, ended by an update as late as it
            await ws.send(update(6, late_by=1.2))
            await asyncio.sleep(0.2)
            assert ws.transport is not None
            ws.transport.abort()  # no close frame: 1006
        else:
            for seq in (9, 10):  # 7 and 8 went out while tail was away
                await ws.send(update(seq))

    url = await crafted(script)
    cli = await tail(processes, url, "--count", "9", "--late-after", "250ms", "--stall-after", "1s")
    assert await cli.finish(within=30) == 0
    assert [json.loads(line)["seq"] for line in cli.stdout] == [1, 2, 4, 3, 3, 5, 6, 9, 10]
    said = [line.removeprefix("chrono tail: ") for line in cli.stderr]
    assert "missed 1 update(s) of BTC/USD before seq 4" in said
    assert "out of order: BTC/USD seq 3 arrived after a later one" in said
    assert "duplicate: BTC/USD seq 3 received again" in said
    assert any(line.startswith("late: BTC/USD seq 5 arrived 0.") for line in said)
    assert any(line.startswith("stall: ") and "then BTC/USD seq 6" in line for line in said)
    assert "disconnected: closed 1006" in said
    assert "missed 2 update(s) of BTC/USD before seq 9 (published while reconnecting)" in said
    assert summary(cli) == (
        "9 updates; missed 2 (2 while reconnecting), duplicates 1, out of order 1, late 2, "
        "stalls 1, "
        "disconnects 1 (1006 x1)"
    )
    assert cli.stderr[-1].startswith("chrono tail: summary: ")


async def test_ctrl_c_ends_with_the_summary_too(
    crafted: Callable[[Script], Awaitable[str]], processes: list[Cli]
) -> None:
    async def script(ws: ServerConnection, connection: int) -> None:
        for seq in (1, 1, 2):
            await ws.send(update(seq))

    cli = await tail(processes, await crafted(script))
    await eventually(lambda: len(cli.stdout) == 3)
    cli.process.send_signal(signal.SIGINT)
    assert await cli.finish() == 0
    assert summary(cli) == (
        "3 updates; missed 0, duplicates 1, out of order 0, late 0, stalls 0, disconnects 0"
    )


async def test_duration_ends_with_the_summary_too(
    crafted: Callable[[Script], Awaitable[str]], processes: list[Cli]
) -> None:
    async def script(ws: ServerConnection, connection: int) -> None:
        await ws.send(update(1, late_by=0.5))

    cli = await tail(processes, await crafted(script), "--duration", "1")
    assert await cli.finish() == 0
    assert summary(cli).startswith("1 update; missed 0, duplicates 0, out of order 0, late 1,")
