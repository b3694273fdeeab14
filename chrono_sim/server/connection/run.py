"""Runs one admitted connection: reader, writer and timer around a pure `Session`."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed
from websockets.protocol import State

from chrono_sim.protocol.clock import Clock
from chrono_sim.protocol.delivery import Close
from chrono_sim.protocol.session import Session
from chrono_sim.server.connection.transport import StreamConnection
from chrono_sim.server.connection.writer import ConnectionWriter, Flusher
from chrono_sim.server.logs import format_peer

log = logging.getLogger("chrono_sim.server")


async def run_session(
    ws: StreamConnection,
    open_session: Callable[[Callable[[], None]], Session],
    clock: Clock,
    flusher: Flusher,
    *,
    stall_timeout: float,
    close_timeout: float,
    on_drained: Callable[[], None] = lambda: None,
) -> None:
    """Pump frames between `ws` and a session until either side closes.

    A peer that reads nothing for `stall_timeout` seconds is closed (see
    `ConnectionWriter`). `open_session(on_ready)` builds the session, given the callback its
    outbox calls when frames wait to be written. `on_drained` is called
    whenever the session's pending prices may have dropped: after each flush
    and once the session has closed (a client-paced feed waits on it).
    """
    # Set only while the reader waits for the client to read its replies: an
    # Event per connection would cost more memory than the rest of this frame.
    room: asyncio.Future[None] | None = None

    def after_flush() -> None:
        if room is not None and not room.done():
            room.set_result(None)
        on_drained()

    writer = ConnectionWriter(
        ws,
        open_session,
        flusher,
        stall_timeout=stall_timeout,
        close_timeout=close_timeout,
        on_drained=after_flush,
    )
    session = writer.session
    timer = _Timer(ws, session, clock)
    try:
        async for data in ws:
            session.receive(data)
            # Backpressure: while the client leaves replies unread, stop reading its
            # requests; websockets then stops reading the socket and TCP pushes back.
            while session.backlogged and ws.protocol.state is State.OPEN:
                room = asyncio.get_running_loop().create_future()
                await room
    except ConnectionClosed:
        pass
    finally:
        timer.cancel()
        writer.cancel()
        session.close()
        on_drained()


class _Timer:
    """Calls `session.on_timer()` at each `next_deadline()`; closes when it says so.

    Waking before a deadline that moved later is harmless: `on_timer` does
    nothing then and the timer re-arms for the new deadline. A deadline that
    moves earlier is announced by the session's policy (`watch_deadline`): re-arm then.
    """

    def __init__(self, ws: ServerConnection, session: Session, clock: Clock) -> None:
        self._ws = ws
        self._session = session
        self._clock = clock
        self._loop = asyncio.get_running_loop()
        self._closing: asyncio.Task[None] | None = None
        self._handle = self._arm()
        if session.policy is not None:  # only a policy moves the deadline earlier
            session.policy.watch_deadline(self._rearm)

    def _arm(self) -> asyncio.TimerHandle:
        delay = max(0.0, self._session.next_deadline() - self._clock.monotonic())
        return self._loop.call_later(delay, self._fire)

    def _rearm(self) -> None:
        if self._closing is None:
            self._handle.cancel()
            self._handle = self._arm()

    def _fire(self) -> None:
        close = self._session.on_timer()
        if close is None:
            self._handle = self._arm()
        else:
            self._closing = self._loop.create_task(self._close(close))

    async def _close(self, close: Close) -> None:
        peer = format_peer(self._ws.remote_address)
        if close.abort:
            fields = {"event": "connection.dropped", "peer": peer, "reason": close.reason}
            log.debug("dropping %s without a close frame: %s", peer, close.reason, extra=fields)
            self._ws.transport.abort()
            return
        fields = {"event": "connection.closing", "peer": peer, "reason": close.reason}
        log.debug("closing %s: %s", peer, close.reason, extra=fields)
        await self._ws.close(close.code, close.reason)

    def cancel(self) -> None:
        self._handle.cancel()
