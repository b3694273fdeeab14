"""Churn soak: 10,000 connect/subscribe/disconnect cycles leave nothing behind.

Run alone with: pytest tests/benchmarks/test_churn_soak.py -s (it is also part of
the default run, since it asserts). Clients are raw sockets speaking just enough
WebSocket (a fixed upgrade request, one masked `subscribe` frame, then a close
frame or a dropped socket) to cost the server a full connection each while
costing the shared event loop little, so the run takes seconds, not minutes.

Memory is judged two ways, both after a warm-up (which fills caches, pools and
the allocator's free lists) and a `gc.collect()`:

- allocated memory blocks (`sys.getallocatedblocks()`, every object and buffer the
  interpreter holds, tracked by the garbage collector or not): exact and insensitive
  to fragmentation; leaking even one small object per connection shows as thousands;
- resident memory (`/proc/self/statm`): catches what the interpreter's allocator
  does not see (C libraries, the event loop's own buffers), with a bound loose
  enough for the allocator's noise but far below what a leaked connection
  (kilobytes each) would add over 9,000 cycles.

tracemalloc would say where memory went, but slows every allocation several times over.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import sys
import time
from dataclasses import dataclass

from pytest_benchmark.fixture import BenchmarkFixture

from chrono_sim.protocol.catalog import DEFAULT_CATALOG
from chrono_sim.protocol.keys import ApiKey, KeyStore
from chrono_sim.server import ChronoServer
from chrono_sim.server.config import ServerConfig
from chrono_sim.sources import ScriptedSource

CYCLES = 10_000
WARM_UP = 1_000
CLIENTS = 16  # cycles run this many at a time
KEY = "churn_soak_key_000001"
KEYS = KeyStore(
    [ApiKey(key=KEY, name="soak", max_connections=CLIENTS, rate_limit_per_minute=10_000_000)]
)
MAX_BLOCK_GROWTH = 1_000  # memory blocks, over 9,000 cycles: a leak of one per cycle fails
MAX_RSS_GROWTH = 8 << 20  # bytes, over 9,000 cycles: a leak of ~1 KiB per cycle fails


def _masked(opcode: int, payload: bytes) -> bytes:
    """A short, final client frame masked with a zero key (the payload stays as is)."""
    assert len(payload) <= 125
    return bytes([0x80 | opcode, 0x80 | len(payload)]) + b"\0\0\0\0" + payload


UPGRADE = (
    f"GET /stream HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
    f"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    f"Sec-WebSocket-Version: 13\r\nAuthorization: Bearer {KEY}\r\n\r\n"
).encode()
SUBSCRIBE = _masked(0x1, json.dumps({"type": "subscribe", "symbols": ["BTC/USD"]}).encode())
CLOSE = _masked(0x8, (1000).to_bytes(2, "big"))


@dataclass(frozen=True)
class Soak:
    cycles_per_second: float
    blocks: tuple[int, int]  # allocated blocks after the warm-up, and at the end
    rss: tuple[int, int]  # resident bytes after the warm-up, and at the end
    open_connections: int  # per the server, at the end
    key_connections: int  # per the key's gatekeeper, at the end
    subscribers: int  # of BTC/USD in the hub, at the end


async def cycle(port: int, clean: bool) -> None:
    """Connect, subscribe, read the ack, then close properly (`clean`) or drop the socket."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(UPGRADE)
    head = await reader.readuntil(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 101"), head
    writer.write(SUBSCRIBE)
    received = b""
    while b'"subscribed"' not in received:
        chunk = await reader.read(4096)
        assert chunk, "closed before the subscription was acknowledged"
        received += chunk
    if clean:
        writer.write(CLOSE)
        while await reader.read(4096):  # the server's close frame, then its end of the socket
            pass
        writer.close()
    else:
        writer.transport.abort()
    await writer.wait_closed()


async def churn(port: int, cycles: int) -> None:
    async def client(first: int) -> None:
        for number in range(first, cycles, CLIENTS):
            await cycle(port, clean=number % 2 == 0)

    await asyncio.gather(*(client(first) for first in range(CLIENTS)))


async def settled(server: ChronoServer) -> None:
    """Wait (bounded) for the handlers of connections dropped a moment ago to finish."""
    for _ in range(500):
        if server.open_connections == 0:
            return
        await asyncio.sleep(0.01)


def resident_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def measure() -> tuple[int, int]:
    gc.collect()
    return sys.getallocatedblocks(), resident_bytes()


async def soak() -> Soak:
    config = ServerConfig(host="127.0.0.1", port=0, keys=KEYS)
    async with ChronoServer(config, source=ScriptedSource(DEFAULT_CATALOG)) as server:
        await churn(server.port, WARM_UP)
        await settled(server)
        blocks_before, rss_before = measure()
        started = time.perf_counter()
        await churn(server.port, CYCLES - WARM_UP)
        elapsed = time.perf_counter() - started
        await settled(server)
        blocks_after, rss_after = measure()
        return Soak(
            cycles_per_second=(CYCLES - WARM_UP) / elapsed,
            blocks=(blocks_before, blocks_after),
            rss=(rss_before, rss_after),
            open_connections=server.open_connections,
            key_connections=server.gatekeeper.open_connections(KEY),
            subscribers=server.hub.subscriber_count("BTC/USD"),
        )


def test_ten_thousand_connection_cycles_leave_no_connection_and_no_memory_behind(
    benchmark: BenchmarkFixture,
) -> None:
    result: Soak = benchmark.pedantic(lambda: asyncio.run(soak()), rounds=1, iterations=1)
    (blocks_before, blocks_after), (rss_before, rss_after) = result.blocks, result.rss
    benchmark.extra_info.update(
        cycles_per_second=round(result.cycles_per_second),
        block_growth=blocks_after - blocks_before,
        rss_growth_kib=(rss_after - rss_before) >> 10,
    )
    print(
        f"\nchurn soak: {CYCLES:,} cycles ({WARM_UP:,} warm-up), "
        f"{result.cycles_per_second:,.0f} cycles/s; memory blocks {blocks_before:,} -> "
        f"{blocks_after:,}; RSS {rss_before / 2**20:.1f} -> {rss_after / 2**20:.1f} MiB"
    )
    assert (result.open_connections, result.key_connections, result.subscribers) == (0, 0, 0)
    assert blocks_after - blocks_before < MAX_BLOCK_GROWTH
    assert rss_after - rss_before < MAX_RSS_GROWTH
