"""Runs one WebSocket connection: reader, writer and timer around a pure `Session`."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed

from chrono_sim.admission import Refusal
from chrono_sim.clock import Clock
from chrono_sim.messages import encode
from chrono_sim.session import Close, Session
from chrono_sim.timestamps import format_timestamp

log = logging.getLogger("chrono_sim.server")


async def refuse(ws: ServerConnection, refusal: Refusal, clock: Clock) -> None:
    """Tell the client why in an `error` message, then close with the refusal's code."""
    try:
        await ws.send(encode(refusal.error(format_timestamp(clock.time()))), text=True)
        await ws.close(refusal.close_code, refusal.close_reason)
    except ConnectionClosed:
        pass


async def run_session(
    ws: ServerConnection,
    session: Session,
    ready: asyncio.Event,
    clock: Clock,
    stall_timeout: float,
    on_drained: Callable[[], None] = lambda: None,
) -> None:
    """Pump frames between `ws` and `session` until either side closes.

    `ready` must be the event the session's `on_ready` sets; a write blocked
    for `stall_timeout` seconds drops the connection. `on_drained` is called
    whenever the session's pending prices may have dropped: after each flush
    and once the session has closed (a client-paced feed waits on it).
    """
    drained = asyncio.Event()
    writer = asyncio.create_task(_write(ws, session, ready, drained, stall_timeout, on_drained))
    timer = _Timer(ws, session, clock)
    try:
        async for data in ws:
            session.receive(data)
            # Backpressure: while the client leaves replies unread, stop reading its
            # requests; websockets then stops reading the socket and TCP pushes back.
            while session.backlogged and not writer.done():
                drained.clear()
                await drained.wait()
    except ConnectionClosed:
        pass
    finally:
        timer.cancel()
        writer.cancel()
        session.close()
        on_drained()


async def _write(
    ws: ServerConnection,
    session: Session,
    ready: asyncio.Event,
    drained: asyncio.Event,
    stall_timeout: float,
    on_drained: Callable[[], None],
) -> None:
    watchdog = _StallWatchdog(ws, stall_timeout)
    try:
        while True:
            await ready.wait()
            ready.clear()
            frames = session.take_frames()
            drained.set()
            on_drained()
            watchdog.start()
            try:
                for frame in frames:
                    await ws.send(frame, text=True)
                    watchdog.progress()
            finally:
                watchdog.stop()
    except ConnectionClosed:
        pass
    finally:
        drained.set()  # a reader waiting for room must not wait for a writer that is gone


class _StallWatchdog:
    """Aborts the connection when one write stays blocked for `timeout` seconds.

    A timeout context per frame would cost microseconds on the fan-out path;
    this arms one timer per flush, and the writer only stamps its progress.
    """

    def __init__(self, ws: ServerConnection, timeout: float) -> None:
        self._ws = ws
        self._timeout = timeout
        self._loop = asyncio.get_running_loop()
        self._progress_at = 0.0
        self._handle: asyncio.TimerHandle | None = None

    def start(self) -> None:
        self._progress_at = self._loop.time()
        self._handle = self._loop.call_later(self._timeout, self._check)

    def progress(self) -> None:
        self._progress_at = self._loop.time()

    def stop(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None

    def _check(self) -> None:
        stalled_for = self._loop.time() - self._progress_at
        if stalled_for < self._timeout:
            self._handle = self._loop.call_later(self._timeout - stalled_for, self._check)
            return
        self._handle = None
        log.debug(
            "dropping %s: it has read nothing for %.0f s", self._ws.remote_address, stalled_for
        )
        # The blocked send then raises ConnectionClosed, which ends the writer.
        self._ws.transport.abort()


class _Timer:
    """Calls `session.on_timer()` at each `next_deadline()`; closes when it says so.

    Waking before a deadline that moved later is harmless: `on_timer` does
    nothing then and the timer re-arms for the new deadline.
    """

    def __init__(self, ws: ServerConnection, session: Session, clock: Clock) -> None:
        self._ws = ws
        self._session = session
        self._clock = clock
        self._loop = asyncio.get_running_loop()
        self._closing: asyncio.Task[None] | None = None
        self._handle = self._arm()

    def _arm(self) -> asyncio.TimerHandle:
        delay = max(0.0, self._session.next_deadline() - self._clock.monotonic())
        return self._loop.call_later(delay, self._fire)

    def _fire(self) -> None:
        close = self._session.on_timer()
        if close is None:
            self._handle = self._arm()
        else:
            self._closing = self._loop.create_task(self._close(close))

    async def _close(self, close: Close) -> None:
        log.debug("closing %s: %s", self._ws.remote_address, close.reason)
        await self._ws.close(close.code, close.reason)

    def cancel(self) -> None:
        self._handle.cancel()
