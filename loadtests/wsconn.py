"""A small blocking `/stream` connection on websocket-client, for locust's gevent users.

Why websocket-client: locust runs every user as a greenlet and monkey-patches the
standard library (`socket`, `ssl`, `select`) when it is imported, so a blocking
client built on plain sockets yields to the other users whenever it waits. That
is websocket-client. The asyncio-based `websockets` (which the server and
`chrono_sim.client.FeedClient` use) needs its own event loop, which would block
the gevent hub and every other user while it runs.
"""

from __future__ import annotations

import itertools
import struct
import time
from dataclasses import dataclass
from typing import Any

import msgspec
import websocket

HANDSHAKE_TIMEOUT = 10.0


@dataclass(frozen=True, slots=True)
class Frame:
    """One JSON text message from the server."""

    message: dict[str, Any]
    size: int
    received_at: float  # Unix seconds, local clock

    @property
    def type(self) -> object:
        return self.message.get("type")


@dataclass(frozen=True, slots=True)
class Closed:
    """The connection ended: the server's close code (None: no close frame) and why."""

    code: int | None
    reason: str

    def describe(self) -> str:
        return f"close {self.code} ({self.reason})" if self.code else self.reason


Event = Frame | Closed


class Conn:
    """One WebSocket connection: send JSON, read events with a timeout, close."""

    def __init__(self, ws: websocket.WebSocket) -> None:
        self._ws = ws
        self._ids = itertools.count(1)
        self._fragments: list[bytes] = []
        self.closed: Closed | None = None

    @classmethod
    def open(cls, url: str, api_key: str, timeout: float = HANDSHAKE_TIMEOUT) -> Conn:
        """Connect with `Authorization: Bearer`; raises `websocket.WebSocketException` or OSError.

        A refusal of the key (UNAUTHORIZED, CONNECTION_LIMIT, RATE_LIMITED) comes
        after the upgrade, as the first event.
        """
        ws = websocket.create_connection(
            url,
            timeout=timeout,
            header=[f"Authorization: Bearer {api_key}"],
            enable_multithread=False,  # one greenlet per connection: no lock needed
        )
        return cls(ws)

    def next_id(self) -> int:
        return next(self._ids)

    def send(self, message: dict[str, object]) -> bool:
        """Send one message; False if the connection is already gone."""
        if self.closed is not None:
            return False
        try:
            self._ws.send(msgspec.json.encode(message).decode())
        except (websocket.WebSocketException, OSError) as exc:
            self.closed = Closed(None, f"send failed: {exc}")
            return False
        return True

    def receive(self, timeout: float) -> Event | None:
        """The next message or the close, or None when nothing came within `timeout` seconds."""
        if self.closed is not None:
            return self.closed
        self._ws.settimeout(max(timeout, 0.001))
        ABNF = websocket.ABNF  # noqa: N806 - the library's class name
        try:
            while True:
                # Frame by frame rather than recv_data_frame(): that one echoes a close
                # before returning it, and a failed echo would lose the close code.
                frame = self._ws.recv_frame()
                if frame.opcode == ABNF.OPCODE_CLOSE:
                    return self._ended(_closed(frame.data))
                if frame.opcode == ABNF.OPCODE_PING:
                    self._ws.pong(frame.data)  # the server drops peers that do not answer
                elif frame.opcode in (ABNF.OPCODE_TEXT, ABNF.OPCODE_BINARY, ABNF.OPCODE_CONT):
                    self._fragments.append(frame.data)
                    if frame.fin:
                        data = b"".join(self._fragments)
                        self._fragments.clear()
                        return _frame(data, time.time())
        except websocket.WebSocketTimeoutException:
            return None  # a partly read frame stays buffered in websocket-client
        except (websocket.WebSocketException, OSError) as exc:
            return self._ended(Closed(None, f"connection lost: {exc or type(exc).__name__}"))

    def close(self, timeout: float = 1.0) -> None:
        """Close normally (1000), waiting at most `timeout` for the server's close frame."""
        self.closed = self.closed or Closed(1000, "closed by client")
        try:
            self._ws.close(timeout=timeout)
        except (websocket.WebSocketException, OSError):
            self._ws.shutdown()

    def _ended(self, closed: Closed) -> Closed:
        self.closed = closed
        try:
            if closed.code is not None:
                self._ws.send_close()  # echo the close, as the protocol asks
        except (websocket.WebSocketException, OSError):
            pass  # the server may have dropped the TCP connection already
        self._ws.shutdown()
        return closed


def _closed(payload: bytes) -> Closed:
    if len(payload) < 2:
        return Closed(1005, "no status")
    code = struct.unpack("!H", payload[:2])[0]
    return Closed(code, payload[2:].decode("utf-8", "replace"))


def _frame(data: bytes, received_at: float) -> Frame:
    try:
        message = msgspec.json.decode(data)
    except msgspec.DecodeError:
        message = None
    if not isinstance(message, dict):
        message = {"type": None, "raw": data[:200]}
    return Frame(message, len(data), received_at)
