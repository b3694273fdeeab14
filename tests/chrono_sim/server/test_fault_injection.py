"""`--fault` over real sockets: a client sees exactly the faults `fault_counts` reports."""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from pathlib import Path

from websockets.asyncio.client import ClientConnection, connect

import chrono_sim
from chrono_sim.faults import parse_faults
from chrono_sim.server import ChronoServer
from tests.support.processes import Cli, eventually, run_cli, start_cli
from tests.support.servers import StartServer
from tests.support.sessions import quote
from tests.support.sockets import bearer, closed_with, receive, url


async def subscribe(ws: ClientConnection, symbol: str = "BTC/USD") -> None:
    await ws.send(json.dumps({"type": "subscribe", "symbols": [symbol]}))
    assert (await receive(ws))["type"] == "subscribed"


async def prices_until_pong(ws: ClientConnection) -> list[int]:
    """Ping, then the `seq` of every price before the pong: all the server had sent."""
    await ws.send('{"type":"ping"}')
    seqs = []
    while (message := await receive(ws))["type"] != "pong":
        assert message["type"] == "price_update", message
        seqs.append(message["seq"])
    return seqs


async def publish(server: ChronoServer) -> None:
    server.hub.publish(quote())
    await asyncio.sleep(0)  # let the connection's writer flush it: no backlog, no conflation


async def test_the_client_sees_exactly_the_drops_duplicates_and_swaps_counted(
    start_server: StartServer,
) -> None:
    faults = parse_faults("drop=0.1,duplicate=0.1,reorder=0.1")
    server = await start_server(faults=faults, seed=42)
    async with connect(url(server), additional_headers=bearer()) as ws:
        await subscribe(ws)
        published = 300
        for _ in range(published):
            await publish(server)
        seqs = await prices_until_pong(ws)
        # The last update may be held for a swap: publish until the latest one went out,
        # which releases whatever was held.
        while max(seqs) < published:
            published += 1
            await publish(server)
            seqs += await prices_until_pong(ws)
    received: set[int] = set()
    duplicates = out_of_order = latest = 0
    for seq in seqs:
        if seq in received:
            duplicates += 1
            assert seq == latest  # a duplicate follows its original at once
        elif seq < latest:
            out_of_order += 1
        received.add(seq)
        latest = max(latest, seq)
    assert published - len(received) == server.fault_counts["drop"] > 0
    assert duplicates == server.fault_counts["duplicate"] > 0
    assert out_of_order == server.fault_counts["reorder"] > 0
    assert set(server.fault_counts) == {"drop", "duplicate", "reorder"}


async def test_an_injected_disconnect_is_an_abnormal_closure_1006(
    start_server: StartServer,
) -> None:
    server = await start_server(faults=parse_faults("disconnect=every:200ms"))
    async with connect(url(server), additional_headers=bearer()) as ws:
        await subscribe(ws)
        assert await closed_with(ws) == (1006, "")
    assert server.fault_counts == Counter(disconnect=1)


async def test_a_delayed_update_goes_out_when_due_not_at_the_next_heartbeat(
    start_server: StartServer,
) -> None:
    server = await start_server(faults=parse_faults("delay=300ms..300ms"))
    async with connect(url(server), additional_headers=bearer()) as ws:
        await subscribe(ws)
        published = time.monotonic()
        await publish(server)
        update = await receive(ws)  # gives up after 5 s; the next heartbeat is 30 s away
        assert update["seq"] == 1
        assert time.monotonic() - published >= 0.3
    assert server.fault_counts == Counter(delay=1)


async def test_after_a_stall_the_queued_frames_go_out_at_once(start_server: StartServer) -> None:
    server = await start_server(faults=parse_faults("stall=300ms@0s"))
    async with connect(url(server), additional_headers=bearer()) as ws:
        opened = time.monotonic()
        await ws.send(json.dumps({"type": "subscribe", "symbols": ["BTC/USD"]}))
        await ws.send('{"type":"ping"}')
        # Both replies wait out the stall; the writer, which took nothing meanwhile, is
        # woken when it ends (gives up after 5 s; the next heartbeat is 30 s away).
        assert (await receive(ws))["type"] == "subscribed"
        assert time.monotonic() - opened >= 0.3
        assert (await receive(ws))["type"] == "pong"
    assert server.fault_counts == Counter(stall=1)


SAMPLE = Path(chrono_sim.__file__).parent / "data" / "sample.jsonl.gz"


def test_a_bad_spec_is_one_line_and_exit_2() -> None:
    result = run_cli("serve", "--port", "0", "--fault", "drop=0.1,delay=2s..1s")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert result.stderr.endswith(
        " serve: error: Invalid value for '--fault': "
        "fault delay=2s..1s: MIN must be at most MAX, and MAX above 0\n"
    )


async def test_a_replay_takes_a_seed_for_its_faults_and_logs_both(processes: list[Cli]) -> None:
    served = await start_cli(
        "serve", "--port", "0", "--replay", str(SAMPLE), "--seed", "7",
        "--fault", "drop=1%,delay=50ms..200ms",
    )  # fmt: skip
    processes.append(served)
    announced = "injecting faults (seed 7): drop 1%, delay 50ms..200ms"
    await eventually(lambda: any(line.endswith(announced) for line in served.stderr))


def test_without_faults_a_replay_still_refuses_a_seed() -> None:
    result = run_cli("serve", "--port", "0", "--replay", str(SAMPLE), "--seed", "7")
    assert result.returncode == 2
    assert "--seed applies to the synthetic market, not to --replay" in result.stderr
