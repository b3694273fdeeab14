"""Per-connection guards below the protocol: a ration of WebSocket pings, and a roster.

websockets answers each ping frame with a pong while parsing, before any
handler sees it, and queues that pong even when the peer reads nothing: a
peer that floods pings and never reads would grow the server's write buffer
without end, and the session's backpressure (which only counts replies to
JSON messages) would not notice. So a connection may send a bounded number of
pings; past it, it is closed with 1008 `too many pings`.

The roster lists every connection of one server, including those still in
their opening handshake, so that shutdown can drop whatever is still open
once the closing handshakes have had `close_timeout` to complete.
"""

from __future__ import annotations

import asyncio
import logging
from typing import ClassVar

from websockets.frames import Frame, Opcode
from websockets.protocol import Event, State

from chrono_sim.messages import CloseCode
from chrono_sim.ratelimit import TokenBucket
from chrono_sim.server.writer import StreamConnection

log = logging.getLogger("chrono_sim.server")

DEFAULT_PINGS_PER_MINUTE = 600


class GuardedConnection(StreamConnection):
    """A `StreamConnection` that rations incoming pings and stays on its server's roster.

    Use `connection_class()` to get a subclass of its own for each server.
    """

    max_pings_per_minute: ClassVar[int] = DEFAULT_PINGS_PER_MINUTE
    roster: ClassVar[set[GuardedConnection]] = set()

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # Made on the first ping: browsers never send one, and each bucket costs memory.
        self._pings: TokenBucket | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        self.roster.add(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self.roster.discard(self)
        super().connection_lost(exc)

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
            log.debug("closing %s: too many pings", self.remote_address)
            # Fail rather than close: stop parsing (and ponging) what the peer sends next.
            self.protocol.fail(CloseCode.PING_FLOOD, "too many pings")
            self.send_data()
            # A peer that reads nothing never completes the closing handshake.
            self.loop.call_later(self.close_timeout or 0.0, self.transport.abort)
        return True


def connection_class(*, max_pings_per_minute: int) -> type[GuardedConnection]:
    """A `GuardedConnection` subclass with this ping ration and a roster of its own."""

    class ServerGuardedConnection(GuardedConnection):
        pass

    ServerGuardedConnection.max_pings_per_minute = max_pings_per_minute
    ServerGuardedConnection.roster = set()
    return ServerGuardedConnection
