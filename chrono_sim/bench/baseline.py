"""The naive server the bench compares against: `websockets.broadcast()` of `json.dumps` strings.

This is the code the library's documentation suggests for a feed: one
`json.dumps` per update and one `broadcast()` to its subscribers, which
frames and writes the message once per connection. It skips everything the
protocol asks beyond that (keys, limits, timers), so it is, if anything, a
generous baseline.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter

from websockets.asyncio.server import Server, ServerConnection, broadcast, serve

from chrono_sim.bench.metronome import MetronomeSource, Schedule
from chrono_sim.protocol.catalog import DEFAULT_CATALOG
from chrono_sim.protocol.clock import SystemClock
from chrono_sim.protocol.timestamps import format_timestamp


class BaselineServer:
    """Serves `schedule` to whoever subscribes, the naive way."""

    def __init__(self, schedule: Schedule) -> None:
        self._schedule = schedule
        self._subscribers: dict[str, set[ServerConnection]] = {s: set() for s in schedule.symbols}
        self._server: Server | None = None
        self._feed: asyncio.Task[None] | None = None

    async def start(self, host: str, port: int) -> int:
        self._server = await serve(self._handle, host, port, ping_interval=None)
        self._feed = asyncio.get_running_loop().create_task(self._publish())
        return int(next(iter(self._server.sockets)).getsockname()[1])

    def close(self) -> None:
        if self._feed is not None:
            self._feed.cancel()
        if self._server is not None:
            self._server.close()

    async def _handle(self, ws: ServerConnection) -> None:
        try:
            async for message in ws:
                request = json.loads(message)
                if request.get("type") == "subscribe":
                    for symbol in request["symbols"]:
                        self._subscribers[symbol].add(ws)
                    reply = {"type": "subscribed", "symbols": request["symbols"]}
                    await ws.send(json.dumps(reply))
        finally:
            for holders in self._subscribers.values():
                holders.discard(ws)

    async def _publish(self) -> None:
        source = MetronomeSource(DEFAULT_CATALOG, self._schedule, SystemClock())
        seqs: Counter[str] = Counter()
        while True:
            await asyncio.sleep(max(0.0, source.next_due() - time.monotonic()))
            for quote in source.pop_due(time.monotonic()):
                seqs[quote.symbol] += 1
                message = {
                    "type": "price_update",
                    "symbol": quote.symbol,
                    "price": quote.price,
                    "volume": quote.volume,
                    "timestamp": format_timestamp(quote.time),
                    "source": quote.exchange,
                    "seq": seqs[quote.symbol],
                }
                broadcast(self._subscribers[quote.symbol], json.dumps(message))
