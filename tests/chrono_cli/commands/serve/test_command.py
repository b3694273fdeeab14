"""`chrono serve` as a user runs it: a real process, real signals, one-line errors."""

from __future__ import annotations

import asyncio
import json
import re
import signal
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from websockets.asyncio.client import connect

from chrono_sim.client.symbols import fetch_symbols
from chrono_sim.protocol.catalog import DEFAULT_CATALOG
from chrono_sim.protocol.keys import DEV_KEY
from tests.support.processes import run_cli
from tests.support.sockets import closed_with

LISTENING = re.compile(r"listening on ws://(\S+):(\d+)/stream \(([^)]*)\)")


class ServeProcess:
    def __init__(self, process: asyncio.subprocess.Process, port: int, addresses: str) -> None:
        self.process = process
        self.port = port
        self.addresses = addresses


async def start_serve(*args: str) -> ServeProcess:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "chrono_cli", "serve", "--port", "0", *args,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert process.stderr is not None
    line = (await asyncio.wait_for(process.stderr.readline(), timeout=15)).decode()
    match = LISTENING.search(line)
    assert match, line
    return ServeProcess(process, int(match.group(2)), match.group(3))


@pytest.fixture
async def serve() -> AsyncIterator[ServeProcess]:
    served = await start_serve("--interval", "0.2", "--seed", "1")
    yield served
    if served.process.returncode is None:
        served.process.kill()
        await served.process.wait()


async def test_localhost_listens_on_ipv4_and_ipv6_loopback(serve: ServeProcess) -> None:
    assert serve.addresses == f"127.0.0.1:{serve.port}, [::1]:{serve.port}"
    for host in ("127.0.0.1", "[::1]"):
        async with connect(f"ws://{host}:{serve.port}/stream?api_key={DEV_KEY}") as ws:
            await ws.send(
                json.dumps({"type": "subscribe", "symbols": ["BTC/USD"], "snapshot": True})
            )
            assert json.loads(await ws.recv())["type"] == "subscribed"
            update = json.loads(await asyncio.wait_for(ws.recv(), timeout=5))
            assert update["type"] == "price_update"
            assert update["price"] > 0


async def test_synthetic_prices_keep_flowing(serve: ServeProcess) -> None:
    async with connect(f"ws://127.0.0.1:{serve.port}/stream?api_key={DEV_KEY}") as ws:
        await ws.send(json.dumps({"type": "subscribe", "symbols": ["ETH/USD", "SOL/USD"]}))
        await ws.recv()
        updates = [json.loads(await asyncio.wait_for(ws.recv(), timeout=5)) for _ in range(6)]
    assert {update["symbol"] for update in updates} == {"ETH/USD", "SOL/USD"}


async def test_sigterm_closes_connections_with_1001_and_exits_0(serve: ServeProcess) -> None:
    async with connect(f"ws://127.0.0.1:{serve.port}/stream?api_key={DEV_KEY}") as ws:
        serve.process.send_signal(signal.SIGTERM)
        assert (await closed_with(ws, within=10))[0] == 1001
    assert await asyncio.wait_for(serve.process.wait(), timeout=10) == 0


async def test_ctrl_c_exits_0(serve: ServeProcess) -> None:
    serve.process.send_signal(signal.SIGINT)
    assert await asyncio.wait_for(serve.process.wait(), timeout=10) == 0


async def test_a_keys_file_replaces_the_development_key(tmp_path: Path) -> None:
    keys = tmp_path / "keys.toml"
    keys.write_text('[[key]]\nkey = "qa_key_0000000001"\nname = "QA"\nmax_connections = 1\n')
    served = await start_serve("--keys", str(keys))
    try:
        base = f"ws://127.0.0.1:{served.port}/stream?api_key="
        async with connect(base + DEV_KEY) as refused:
            assert json.loads(await refused.recv())["code"] == "UNAUTHORIZED"
        async with connect(base + "qa_key_0000000001") as accepted:
            await accepted.send('{"type":"ping"}')
            assert json.loads(await accepted.recv())["type"] == "pong"
    finally:
        served.process.terminate()
        await served.process.wait()


def test_an_invalid_keys_file_is_one_line_and_exit_3(tmp_path: Path) -> None:
    keys = tmp_path / "keys.toml"
    keys.write_text("[[key]]\nname = 'no key here'\n")
    result = run_cli("serve", "--keys", str(keys))
    assert result.returncode == 3
    assert result.stderr.count("\n") == 1
    assert str(keys) in result.stderr
    assert "Traceback" not in result.stderr


def test_a_port_in_use_is_one_line_and_exit_4() -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        result = run_cli("serve", "--host", "127.0.0.1", "--port", str(port))
    assert result.returncode == 4
    assert result.stderr.strip().splitlines() == [
        f"chrono serve: error: cannot listen on 127.0.0.1:{port}: address already in use "
        "(another server on that port?)"
    ]


def test_a_bad_option_value_is_one_line_and_exit_2() -> None:
    result = run_cli("serve", "--interval", "-1")
    assert result.returncode in (2, 3)
    assert result.stderr.count("\n") == 1
    assert "interval" in result.stderr


async def test_a_universe_adds_made_up_symbols_to_the_synthetic_market() -> None:
    served = await start_serve("--universe", "30", "--seed", "4")
    try:
        listing = await asyncio.to_thread(
            fetch_symbols, f"ws://127.0.0.1:{served.port}/stream", timeout=5.0
        )
    finally:
        served.process.send_signal(signal.SIGTERM)
        await served.process.wait()
    symbols = [entry["symbol"] for entry in listing]
    assert len(symbols) == 16 + 30
    assert symbols[:16] == list(DEFAULT_CATALOG.symbols)
