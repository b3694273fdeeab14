"""The load generator: many raw WebSocket clients in one process, lighter than the server.

Each client does its opening handshake with the `websockets` sans-I/O
`ClientProtocol`, subscribes, and from then on reads the socket itself:
counting mode counts `"price_update"` markers in the raw bytes (no frame
parsing, no JSON), so a single core can count well over a million messages
per second; latency mode splits frames with `FrameReader` and decodes each
update's `symbol` and `seq` to compare its arrival with its due time.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import cast

import msgspec
from websockets.client import ClientProtocol
from websockets.http11 import Response
from websockets.uri import parse_uri

from chrono_sim.bench.metronome import Schedule
from chrono_sim.protocol.wire import FrameReader

MARKER = b'"price_update"'
SUBSCRIBED = b'"subscribed"'


class _Update(msgspec.Struct):
    symbol: str
    seq: int


_decode_update = msgspec.json.Decoder(_Update).decode


Sink = Callable[[bytes, float], None]


@dataclass(slots=True)
class Tally:
    """What one process's clients received; `latencies` only in latency mode (seconds)."""

    messages: int = 0
    gaps: int = 0  # updates skipped, seen as `seq` jumps
    latencies: list[float] = field(default_factory=list)


class CountingSink:
    """Counts price updates in raw bytes; a marker may straddle two reads."""

    __slots__ = ("_tally",)

    def __init__(self, tally: Tally) -> None:
        self._tally = tally

    def for_connection(self, connection: int) -> Sink:
        """The sink one connection writes to (each keeps its own straddling bytes)."""
        tally, keep = self._tally, len(MARKER) - 1
        carry = b""

        def sink(data: bytes, received: float) -> None:
            nonlocal carry
            chunk = carry + data if carry else data
            tally.messages += chunk.count(MARKER)
            carry = chunk[-keep:]

        return sink

    def reset(self) -> None:
        """Forget what was counted so far (the warm-up)."""
        self._tally.messages = 0

    def settle(self) -> None:
        """Nothing to do: counting happens as the bytes arrive."""


class LatencySink:
    """Times every update against the schedule and counts `seq` gaps.

    While receiving it only stamps each read with its arrival time; frames
    are split and decoded in `settle()`, after the measurement, so the
    client's own work does not queue up later reads and inflate the figures.
    """

    __slots__ = ("_index", "_reads", "_schedule", "_tally")

    def __init__(self, tally: Tally, schedule: Schedule) -> None:
        self._tally = tally
        self._schedule = schedule
        self._index = {symbol: index for index, symbol in enumerate(schedule.symbols)}
        self._reads: list[tuple[int, float, bytes]] = []  # (connection, arrival, bytes)

    def for_connection(self, connection: int) -> Sink:
        """The sink one connection writes to (frames must be split per connection)."""
        reads = self._reads

        def sink(data: bytes, received: float) -> None:
            reads.append((connection, received, data))

        return sink

    def reset(self) -> None:
        """Forget what was received so far (the warm-up)."""
        self._reads.clear()

    def settle(self) -> None:
        """Split, decode and time everything received since `reset` into the tally."""
        tally, due, index = self._tally, self._schedule.due, self._index
        frames: dict[int, FrameReader] = {}
        last_seq: dict[tuple[int, str], int] = {}
        for connection, received, data in self._reads:
            reader = frames.get(connection) or frames.setdefault(connection, FrameReader())
            for payload in reader.feed(data):
                if MARKER not in payload:
                    continue  # a reply or a heartbeat
                update = _decode_update(payload)
                tally.messages += 1
                tally.latencies.append(received - due(index[update.symbol], update.seq))
                last = last_seq.get((connection, update.symbol))
                if last is not None and update.seq > last + 1:
                    tally.gaps += update.seq - last - 1
                last_seq[connection, update.symbol] = update.seq
        self._reads.clear()


class BenchClient(asyncio.Protocol):
    """One connection: handshake, one `subscribe`, then every byte to `sink`."""

    def __init__(self, url: str, key: str, symbols: list[str], sink: Sink, *, stall: bool) -> None:
        self._protocol = ClientProtocol(parse_uri(url))
        self._request = self._protocol.connect()
        self._request.headers["Authorization"] = f"Bearer {key}"
        self._subscribe = msgspec.json.encode({"type": "subscribe", "symbols": symbols})
        self._sink = sink
        self._stall = stall
        self._transport: asyncio.Transport | None = None
        self._open = False
        self._awaiting_ack = True
        self.subscribed: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass
        self._protocol.send_request(self._request)
        self._send_pending()

    def data_received(self, data: bytes) -> None:
        received = time.time()
        if not self._open:
            self._handshake(data)
            return
        if self._awaiting_ack and SUBSCRIBED in data:
            self._awaiting_ack = False
            if self._stall:
                assert self._transport is not None
                self._transport.pause_reading()  # a client that stops reading, on purpose
            self.subscribed.set_result(None)
        self._sink(data, received)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.subscribed.done():
            self.subscribed.set_exception(ConnectionError(f"closed before subscribing: {exc}"))

    def resume(self) -> None:
        if self._transport is not None and not self._transport.is_closing():
            self._transport.resume_reading()

    def close(self) -> None:
        if self._transport is not None:
            self._transport.abort()

    def _handshake(self, data: bytes) -> None:
        # The server sends nothing between its 101 and our subscription, so
        # every later byte belongs to the subscription's stream.
        self._protocol.receive_data(data)
        for event in self._protocol.events_received():
            if isinstance(event, Response):
                if event.status_code != 101:
                    self.subscribed.set_exception(
                        ConnectionError(f"handshake refused: HTTP {event.status_code}")
                    )
                    self.close()
                    return
                self._open = True
                self._protocol.send_text(self._subscribe)
                self._send_pending()

    def _send_pending(self) -> None:
        assert self._transport is not None
        for chunk in self._protocol.data_to_send():
            self._transport.write(chunk)
