"""Writes each connection's queued frames in one transport write per event-loop turn.

The `websockets` library sends one message per `send()` call: a coroutine,
a frame built per client and a socket write per frame. A price feed sends
the same update to many clients, so here each session's outbox already holds
wire-ready frames (framed once, in the hub) and a connection's whole queue
goes out in a single `transport.write`. The library keeps the handshake,
reading, keepalive pings and the closing handshake; a frame written here
between two of its writes is just another complete frame on the wire.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from websockets.protocol import State

from chrono_sim.protocol.messages import CloseCode
from chrono_sim.protocol.session import Session
from chrono_sim.server.connection.transport import StreamConnection
from chrono_sim.server.logs import format_peer

log = logging.getLogger("chrono_sim.server")


class Flusher:
    """Runs `flush()` of every connection marked since the last turn, once each.

    A session marks its connection when its outbox stops being empty (while
    the feed publishes a batch, typically); the flush is the next callback of
    the event loop, well within a millisecond at low load. Under load a turn
    takes longer, so each write carries more frames: the cost per frame falls
    as the rate rises instead of the loop drowning in writes.

    After each turn, `on_flushed(frames, batch_published_at)` gets the number
    of frames written and, if the feed published a batch since the last turn,
    when (`time.perf_counter()`): one call per turn, for the metrics.
    """

    def __init__(self, on_flushed: Callable[[int, float | None], None] | None = None) -> None:
        self._loop = asyncio.get_running_loop()
        self._marked: dict[ConnectionWriter, None] = {}  # a dict keeps marking order
        self._scheduled = False
        self._on_flushed = on_flushed or (lambda frames, published_at: None)
        self._batch_published_at: float | None = None

    def mark(self, writer: ConnectionWriter) -> None:
        self._marked[writer] = None
        if not self._scheduled:
            self._scheduled = True
            self._loop.call_soon(self._flush)

    def batch_published(self, started: float) -> None:
        """The feed published a batch, beginning at `started` (`time.perf_counter()`)."""
        # Nothing scheduled: the batch went to nobody (or only to paused sockets).
        if self._scheduled and self._batch_published_at is None:
            self._batch_published_at = started

    def _flush(self) -> None:
        self._scheduled = False
        marked, self._marked = self._marked, {}
        written = 0
        for writer in marked:
            written += writer.flush()
        published_at, self._batch_published_at = self._batch_published_at, None
        self._on_flushed(written, published_at)


class ConnectionWriter:
    """Moves one session's frames to its socket, and drops a peer that stops reading.

    While the socket's buffer is over its high-water mark the frames stay in
    the session's outbox, which conflates prices past its bound, so a slow
    client costs bounded memory and reads current prices when it catches up.
    A socket that takes nothing for `stall_timeout` seconds is closed with
    1008 (`too slow`), and dropped `close_timeout` later if the close frame
    cannot get through either (the library's own close would wait for the
    full buffer to drain, forever). The writer opens the session, `open_session(on_ready)`,
    since the session's outbox must know whom to tell that frames wait.
    """

    def __init__(
        self,
        ws: StreamConnection,
        open_session: Callable[[Callable[[], None]], Session],
        flusher: Flusher,
        *,
        stall_timeout: float,
        close_timeout: float,
        on_drained: Callable[[], None],
    ) -> None:
        self._ws = ws
        self.session = open_session(self.ready)
        self._flusher = flusher
        self._stall_timeout = stall_timeout
        self._close_timeout = close_timeout
        self._on_drained = on_drained
        self._stall: asyncio.TimerHandle | None = None
        self._closing: asyncio.Task[None] | None = None
        ws.on_writable = self._writable

    def ready(self) -> None:
        """The session has frames to write (its outbox's `on_ready`)."""
        self._flusher.mark(self)

    def flush(self) -> int:
        """Write what the session has queued; returns the number of frames written."""
        ws = self._ws
        if ws.protocol.state is not State.OPEN or ws.transport.is_closing():
            # Closing: what is still queued will never be read. Say so, so a reader
            # or a client-paced feed waiting for this connection's room goes on.
            self._on_drained()
            return 0
        if ws.paused:
            if self._stall is None:
                self._stall = asyncio.get_running_loop().call_later(
                    self._stall_timeout, self._stalled
                )
            return 0
        frames = self.session.take_frames()
        if frames:
            ws.transport.write(b"".join(frames))
        self._on_drained()
        return len(frames)

    def cancel(self) -> None:
        if self._stall is not None:
            self._stall.cancel()
            self._stall = None

    def _writable(self) -> None:
        self.cancel()
        self._flusher.mark(self)

    def _stalled(self) -> None:
        self._stall = None
        if not self._ws.paused:
            return
        peer, timeout = format_peer(self._ws.remote_address), self._stall_timeout
        fields = {"event": "connection.too_slow", "peer": peer}
        log.debug("closing %s: it has read nothing for %.0f s", peer, timeout, extra=fields)
        loop = asyncio.get_running_loop()
        self._closing = loop.create_task(self._ws.close(CloseCode.TOO_SLOW, "too slow"))
        loop.call_later(self._close_timeout, self._ws.transport.abort)
