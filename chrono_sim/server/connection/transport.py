"""The server's websockets connection: says when it can write again, rations pings, keeps a roster.

websockets answers each ping frame with a pong while parsing, before any
handler sees it, and queues that pong even when the peer reads nothing: a
peer that floods pings and never reads would grow the server's write buffer
without end, and the session's backpressure (which only counts replies to
JSON messages) would not notice. So a connection may send a bounded number of
pings; past it, it is failed with 1008 `too many pings` and the rest of its input
is discarded. The check runs once the library has parsed a read's frames, and
so queued their pongs: the pongs of the one read that crosses the limit (at most
a read buffer's worth) still go out, so the buffer is bounded, not empty.

The roster lists every connection of one server, including those still in
their opening handshake, so that shutdown can drop whatever is still open
once the closing handshakes have had `close_timeout` to complete.

Over TLS, a connection failed while the peer is still sending (a message over
the size limit, mid-transfer) must not be closed at once: TLS cannot half-close,
and closing a socket with unread input resets it, so the peer would never read
the close frame (1009) that says why.

The ping ration and the roster belong to one server, yet live on a class (see
`connection_type`), not on each connection: every attribute more costs each
connection memory (see `StreamConnection.__slots__`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import ClassVar

from websockets.asyncio.server import ServerConnection
from websockets.frames import Frame, Opcode
from websockets.protocol import Event, State

from chrono_sim.protocol.messages import CloseCode
from chrono_sim.protocol.ratelimit import TokenBucket
from chrono_sim.server.logs import format_peer

log = logging.getLogger("chrono_sim.server")

DEFAULT_PINGS_PER_MINUTE = 600
# Over TLS, a failed connection is closed once its peer has sent nothing for this long.
QUIET_BEFORE_CLOSE = 0.2


def _nothing() -> None:
    pass


class StreamConnection(ServerConnection):
    """A `ServerConnection` that calls `on_writable` when its socket can take writes again.

    It also rations incoming pings and stays on its server's roster; use
    `connection_type()` to get a subclass of its own for each server.
    """

    # Slots, not the instance dict: websockets' connection holds about 30 attributes, the
    # most a dict can share its keys for; past that every connection pays ~2 KiB more.
    __slots__ = ("_last_input", "_pings", "on_writable")

    max_pings_per_minute: ClassVar[int] = DEFAULT_PINGS_PER_MINUTE
    roster: ClassVar[set[StreamConnection]] = set()

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.on_writable: Callable[[], None] = _nothing
        # Made on the first ping: browsers never send one, and each bucket costs memory.
        self._pings: TokenBucket | None = None
        self._last_input = 0.0  # loop time of the last bytes received

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        self.roster.add(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self.roster.discard(self)
        super().connection_lost(exc)
        self.on_writable()  # whoever waits for room must not wait for a socket that is gone

    def resume_writing(self) -> None:
        super().resume_writing()
        self.on_writable()

    def send_data(self) -> None:
        if self.transport.can_write_eof() or self.protocol.close_rcvd is not None:
            super().send_data()  # plain TCP half-closes; a completed handshake may close now
            return
        for data in self.protocol.data_to_send():
            if data:
                self.transport.write(data)
            else:
                # Failed before the peer's close frame arrived (the protocol now discards
                # what the peer sends): close once it has gone quiet, having read ours.
                self._last_input = self.loop.time()
                self._close_when_quiet(self._last_input + (self.close_timeout or 0.0))

    def data_received(self, data: bytes) -> None:
        self._last_input = self.loop.time()
        super().data_received(data)

    def _close_when_quiet(self, deadline: float) -> None:
        now = self.loop.time()
        if now >= deadline or now - self._last_input >= QUIET_BEFORE_CLOSE:
            self.transport.close()
        else:
            self.loop.call_later(QUIET_BEFORE_CLOSE, self._close_when_quiet, deadline)

    def process_event(self, event: Event) -> None:
        if isinstance(event, Frame) and event.opcode is Opcode.PING and self._over_ping_ration():
            return
        super().process_event(event)

    def _over_ping_ration(self) -> bool:
        now = self.loop.time()
        if self._pings is None:
            self._pings = TokenBucket.per_minute(self.max_pings_per_minute, now=now)
        if self._pings.try_take(now) == 0.0:
            return False
        if self.protocol.state is State.OPEN:
            peer = format_peer(self.remote_address)
            fields = {"event": "connection.ping_flood", "peer": peer}
            log.debug("closing %s: too many pings", peer, extra=fields)
            # Fail rather than close: stop parsing (and ponging) what the peer sends next.
            self.protocol.fail(CloseCode.PING_FLOOD, "too many pings")
            self.send_data()
            # A peer that reads nothing never completes the closing handshake.
            self.loop.call_later(self.close_timeout or 0.0, self.transport.abort)
        return True


def connection_type(*, max_pings_per_minute: int) -> type[StreamConnection]:
    """A `StreamConnection` subclass for one server: this ping ration, a roster of its own."""

    class ServerStreamConnection(StreamConnection):
        __slots__ = ()

    ServerStreamConnection.max_pings_per_minute = max_pings_per_minute
    ServerStreamConnection.roster = set()
    return ServerStreamConnection


def drop_all(connection_type: type[StreamConnection]) -> None:
    """Drop every connection still on the roster of `connection_type`, without a close frame."""
    stragglers = list(connection_type.roster)
    if stragglers:
        log.info("dropping %d connection(s) still open at shutdown", len(stragglers))
    for connection in stragglers:
        connection.transport.abort()
