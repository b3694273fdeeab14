"""The websockets handler of one server: admits each upgraded connection, then runs its session.

Admission reads the API key of the handshake, asks the `Gatekeeper`, and
either refuses (an `error` message, then the refusal's close code) or opens
the connection's session through the server's `SessionFactory` and runs it
(`run_session`). Each step is logged (at debug) and counted in the metrics.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable

from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed

from chrono_sim.protocol.admission import Gatekeeper, Lease, Refusal
from chrono_sim.protocol.auth import presented_key
from chrono_sim.protocol.catalog import Catalog
from chrono_sim.protocol.clock import Clock
from chrono_sim.protocol.hub import Hub
from chrono_sim.protocol.keys import ApiKey, redact
from chrono_sim.protocol.limits import ProtocolLimits
from chrono_sim.protocol.messages import encode
from chrono_sim.protocol.session import Session, SessionFactory, SessionSettings
from chrono_sim.protocol.timestamps import format_timestamp
from chrono_sim.server.connection.run import run_session
from chrono_sim.server.connection.transport import StreamConnection
from chrono_sim.server.connection.writer import Flusher
from chrono_sim.server.logs import format_peer
from chrono_sim.server.metrics import ServerMetrics, key_label

log = logging.getLogger("chrono_sim.server")


async def refuse(ws: ServerConnection, refusal: Refusal, clock: Clock) -> None:
    """Tell the client why in an `error` message, then close with the refusal's code."""
    try:
        await ws.send(encode(refusal.error(format_timestamp(clock.time()))), text=True)
        await ws.close(refusal.close_code, refusal.close_reason)
    except ConnectionClosed:
        pass


class ConnectionHandler:
    """Admits and runs the connections of one server; `open` counts those it runs.

    `session_factory` opens each admitted connection's session; `on_drained` is
    called whenever a subscriber's pending prices may have dropped (the
    feed's flow control waits on it).
    """

    def __init__(
        self,
        *,
        gatekeeper: Gatekeeper,
        session_factory: SessionFactory,
        hub: Hub,
        catalog: Catalog,
        clock: Clock,
        limits: ProtocolLimits,
        metrics: ServerMetrics,
        flusher: Flusher,
        stall_timeout: float,
        close_timeout: float,
        on_drained: Callable[[], None],
    ) -> None:
        self._gatekeeper = gatekeeper
        self._session_factory = session_factory
        self._hub = hub
        self._catalog = catalog
        self._clock = clock
        self._limits = limits
        self._metrics = metrics
        self._flusher = flusher
        self._stall_timeout = stall_timeout
        self._close_timeout = close_timeout
        self._on_drained = on_drained
        # One bound method for every session, rather than a new one held by each.
        self._count_conflated = metrics.conflated.inc
        self.open = 0

    async def __call__(self, ws: ServerConnection) -> None:
        self.open += 1
        try:
            await self._converse(ws)
        finally:
            self.open -= 1

    async def _converse(self, ws: ServerConnection) -> None:
        request = ws.request
        assert request is not None  # the handler runs only after a successful handshake
        # get_all: a repeated header must not crash the handler (Headers.get would raise).
        authorization = request.headers.get_all("Authorization")
        key = presented_key(authorization[0] if authorization else None, request.path)
        # The handshake's headers are not read again: about 2 KiB a connection.
        request.headers.clear()
        ws.response = None
        admission = self._gatekeeper.admit(key)
        if isinstance(admission, Refusal):
            peer, shown, code = (
                format_peer(ws.remote_address),
                redact(key or ""),
                str(admission.code),
            )
            self._metrics.refused(code)
            log.debug(
                "refused %s (%s): %s",
                peer,
                shown,
                code,
                extra={"event": "connection.refused", "peer": peer, "key": shown, "code": code},
            )
            await refuse(ws, admission, self._clock)
            return
        api_key = admission.api_key
        _log_connection("open", ws, api_key)
        self._metrics.opened(api_key)
        assert isinstance(ws, StreamConnection)  # create_connection=connection_type(...)
        # Awaited here, not in a helper coroutine: its frame would live as long as the
        # connection, like everything this frame still holds then (~1 KiB each).
        try:
            await run_session(
                ws,
                functools.partial(self._open_session, admission),
                self._clock,
                self._flusher,
                stall_timeout=self._stall_timeout,
                close_timeout=self._close_timeout,
                on_drained=self._on_drained,
            )
        finally:
            self._metrics.closed(api_key)
        _log_connection("close", ws, api_key)

    def _open_session(self, lease: Lease, on_ready: Callable[[], None]) -> Session:
        return self._session_factory(
            SessionSettings(
                lease=lease,
                hub=self._hub,
                catalog=self._catalog,
                clock=self._clock,
                limits=self._limits,
                on_ready=on_ready,
                on_conflate=self._count_conflated,
            )
        )


def _log_connection(what: str, ws: ServerConnection, api_key: ApiKey) -> None:
    """Log `connection.open` or `connection.close` (at debug: built only when shown)."""
    if not log.isEnabledFor(logging.DEBUG):
        return
    peer = format_peer(ws.remote_address)
    fields: dict[str, object] = {
        "event": f"connection.{what}",
        "peer": peer,
        "key": api_key.redacted,
        "key_name": key_label(api_key),
    }
    if what == "open":
        log.debug("open %s key=%s", peer, api_key.redacted, extra=fields)
    else:
        fields["code"] = ws.close_code
        log.debug("closed %s code=%s", peer, ws.close_code, extra=fields)
