"""Shutdown within a bound whatever the peers do, and `chrono tail` riding out a restart."""

from __future__ import annotations

import asyncio
import json
import signal
import socket
import time

import pytest
from websockets.asyncio.client import connect

from chrono_sim.protocol.keys import DEV_KEY
from tests.support.processes import Cli, eventually, start_cli
from tests.support.servers import StartServer
from tests.support.sessions import quote
from tests.support.sockets import bearer, closed_with, receive, url

SUBSCRIBE_ALL = json.dumps(
    {"type": "subscribe", "symbols": ["BTC/USD", "ETH/USD", "SOL/USD", "XRP/USD", "ADA/USD"]}
)
UPGRADE = (
    f"GET /stream?api_key={DEV_KEY} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
    "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    "Sec-WebSocket-Version: 13\r\n\r\n"
).encode()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def unresponsive_subscriber(port: int) -> socket.socket:
    """A raw client that subscribes, then never reads again nor answers a close frame.

    Its receive buffer is tiny, so a busy feed soon fills the server's socket buffers.
    """
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.settimeout(10)
    sock.connect(("127.0.0.1", port))
    sock.sendall(UPGRADE)
    assert sock.recv(4096).startswith(b"HTTP/1.1 101")
    payload = SUBSCRIBE_ALL.encode()
    sock.sendall(bytes([0x81, 0x80 | len(payload)]) + b"\0\0\0\0" + payload)  # zero mask
    return sock


async def start_serve(*args: str) -> Cli:
    return await start_cli("serve", "--host", "127.0.0.1", "--seed", "1", *args)


# --- bounded shutdown ------------------------------------------------------------


async def test_shutdown_drops_a_peer_whose_socket_takes_nothing_after_close_timeout(
    start_server: StartServer,
) -> None:
    """websockets' own close would wait for the full socket to drain, i.e. forever."""
    # The stall bound (ping interval + timeout) is far off: only the close timeout can act.
    server = await start_server(close_timeout=0.5, ping_interval=60, ping_timeout=60)
    neighbour = await connect(url(server), additional_headers=bearer())
    async with connect(url(server), additional_headers=bearer(), ping_interval=None) as stuck:
        await stuck.send(SUBSCRIBE_ALL)
        await receive(stuck)
        stuck.transport.pause_reading()
        step = 0
        while server.hub.has_room(0):  # until frames stay queued: the server's writes block
            for _ in range(500):
                server.hub.publish(quote("BTC/USD", 100.0 + step))
                step += 1
            await asyncio.sleep(0.01)
        server.close()
        # The bound is the 0.5 s close timeout; 5 s leaves room for a busy machine.
        await asyncio.wait_for(server.wait_closed(), timeout=5)
        assert (await closed_with(neighbour))[0] == 1001
        stuck.transport.abort()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
async def test_serve_exits_0_within_the_close_timeout_whatever_its_peers_do(
    processes: list[Cli], signum: signal.Signals
) -> None:
    """A silent socket and a peer that never closes cannot hold the process past the bound."""
    # A handshake timeout far beyond the bound: only the close timeout can end the silent one.
    serve = await start_serve(
        "--port", "0", "--interval", "0.001", "--close-timeout", "1", "--handshake-timeout", "60"
    )  # fmt: skip
    processes.append(serve)
    port = await serve.port()
    polite = await connect(f"ws://127.0.0.1:{port}/stream", additional_headers=bearer())
    await polite.send('{"type":"subscribe","symbols":["BTC/USD"]}')
    await receive(polite)
    silent = socket.create_connection(("127.0.0.1", port))  # connected, never sends a byte
    stuck = unresponsive_subscriber(port)
    await asyncio.sleep(0.5)  # the busy feed fills the stuck peer's buffers
    signalled = time.monotonic()
    serve.process.send_signal(signum)
    assert (await closed_with(polite, within=10))[0] == 1001
    assert await serve.finish(within=10) == 0
    # The bound is the 1 s close timeout; 5 s leaves room for a busy machine.
    assert time.monotonic() - signalled < 5
    assert serve.stderr[-1].endswith("stopped")
    silent.close()
    stuck.close()


# --- chrono tail across a server restart ------------------------------------------


async def test_tail_reports_the_1001_keeps_retrying_and_streams_again_after_a_restart(
    processes: list[Cli],
) -> None:
    port = free_port()
    serve_args = ("--port", str(port), "--interval", "0.05")
    first = await start_serve(*serve_args)
    processes.append(first)
    await first.port()
    tail = await start_cli("tail", "BTC/USD", "--json", "--url", f"ws://127.0.0.1:{port}/stream")
    processes.append(tail)
    await eventually(lambda: len(tail.stdout) >= 2, within=15)

    first.process.send_signal(signal.SIGTERM)
    assert await first.finish() == 0
    await eventually(lambda: any("disconnected: closed 1001" in line for line in tail.stderr))
    # Still retrying with nobody listening: at least one failed attempt after the 1001.
    await eventually(lambda: sum("reconnecting in" in line for line in tail.stderr) >= 2, 15)
    assert tail.process.returncode is None
    before_restart = len(tail.stdout)

    second = await start_serve(*serve_args)
    processes.append(second)
    await second.port()
    await eventually(lambda: len(tail.stdout) >= before_restart + 2, within=40)
    after = [json.loads(line) for line in tail.stdout[before_restart:]]
    assert {update["symbol"] for update in after} == {"BTC/USD"}
    assert sum(line.startswith("chrono tail: connected to") for line in tail.stderr) == 2
    # The new server numbers from 1 again: never mistaken for updates received twice.
    assert not any("received again" in line for line in tail.stderr)

    tail.process.send_signal(signal.SIGINT)
    assert await tail.finish() == 0
