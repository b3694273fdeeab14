"""`ChronoServer`: binds the sockets, admits connections, runs their sessions and the feed."""

from __future__ import annotations

import asyncio
import functools
import logging
import socket
from collections import Counter
from collections.abc import Callable
from types import TracebackType
from typing import Any

from websockets.asyncio.server import Server, ServerConnection, serve

from chrono_sim.faults.session import FaultInjector
from chrono_sim.protocol.admission import Gatekeeper, Lease, Refusal
from chrono_sim.protocol.auth import presented_key
from chrono_sim.protocol.clock import Clock, SystemClock
from chrono_sim.protocol.hub import Hub
from chrono_sim.protocol.keys import ApiKey, redact
from chrono_sim.protocol.session import Session
from chrono_sim.server.config import ServerConfig
from chrono_sim.server.connection import refuse, run_session
from chrono_sim.server.endpoints import Endpoints
from chrono_sim.server.feed import pump
from chrono_sim.server.guard import connection_class
from chrono_sim.server.logs import format_peer
from chrono_sim.server.metrics import ServerMetrics, key_label
from chrono_sim.server.tls import server_tls_context
from chrono_sim.server.writer import Flusher, StreamConnection
from chrono_sim.sources.base import CLIENT_PACED_BATCH, PriceSource
from chrono_sim.sources.synthetic import SyntheticSource

log = logging.getLogger("chrono_sim.server")

# "localhost" must work for clients that resolve it to ::1 first (Node.js does) as
# well as to 127.0.0.1, whatever this machine's hosts file says.
LOOPBACK_HOSTS = ("127.0.0.1", "::1")


class ChronoServer:
    """A `/stream` server. Use as `async with ChronoServer(config) as server: ...`.

    `source` defaults to the synthetic market of `config`; `clock` to the
    system clock (its `monotonic()` must share asyncio's time base). Passing
    the `hub` of a previous server keeps `seq` numbering across a restart.
    `session_type` lets tests build deliberately broken servers from a
    `Session` subclass. A source that `waits_for_subscriber` (a replay) starts with the first
    subscription; a client-paced one (a replay at max speed) publishes only
    while every subscriber has room for a batch, so its clients see every
    update.
    """

    def __init__(
        self,
        config: ServerConfig,
        *,
        source: PriceSource | None = None,
        clock: Clock | None = None,
        hub: Hub | None = None,
        session_type: type[Session] = Session,
    ) -> None:
        self.config = config
        # Built here, so that unusable certificate files fail before anything listens.
        self._tls = server_tls_context(config)
        self.session_type = session_type
        self.clock = clock or SystemClock()
        self.source = source or SyntheticSource(
            catalog=config.catalog, clock=self.clock, seed=config.seed, interval=config.interval
        )
        self.hub = hub or Hub()
        self.gatekeeper = Gatekeeper(config.keys, self.clock)
        self._servers: list[Server] = []
        self._connection_type = connection_class(max_pings_per_minute=config.max_pings_per_minute)
        self._straggler_timer: asyncio.TimerHandle | None = None
        self._feed: asyncio.Task[None] | None = None
        self._flusher: Flusher | None = None
        # Set whenever a subscription or a subscriber's pending prices may have changed:
        # after each flush of a connection's outbox and when a connection ends.
        self._drained = asyncio.Event()
        self._open = 0
        # Faults injected so far, by kind ("drop", "duplicate", ...), across all connections.
        self.fault_counts: Counter[str] = Counter()
        self._faults = (
            FaultInjector(config.faults, seed=config.seed, counts=self.fault_counts)
            if config.faults is not None
            else None
        )
        self.metrics = ServerMetrics(
            keys=config.keys, published=lambda: self.hub.published, faults=lambda: self.fault_counts
        )
        # One bound method for every session, rather than a new one held by each.
        self._count_conflated = self.metrics.conflated.inc
        self._endpoints = Endpoints(
            config,
            hub=self.hub,
            metrics=self.metrics,
            clock=self.clock,
            open_connections=lambda: self._open,
            port=lambda: self.port,
        )

    # --- lifecycle ------------------------------------------------------------

    async def start(self) -> None:
        """Bind every address and start the feed; raises OSError if the port is taken."""
        self._flusher = Flusher(on_flushed=self.metrics.flushed)
        hosts = LOOPBACK_HOSTS if self.config.host == "localhost" else (self.config.host,)
        port = self.config.port
        try:
            for index, host in enumerate(hosts):
                try:
                    self._servers.append(await self._serve(host, port))
                except OSError:
                    if index == 0:
                        raise
                    log.warning("could not also listen on %s; serving %s only", host, hosts[0])
                port = self.port  # with port 0, every host shares the port the first one got
        except BaseException:
            self.close()
            raise
        self._feed = asyncio.create_task(self._run_feed(), name="chrono-feed")

    def close(self) -> None:
        """Stop listening and close every connection with 1001 (going away).

        Whatever is still open `close_timeout` later is dropped: websockets' close
        waits for a full socket buffer to drain (until the stall bound drops a peer
        that reads nothing), and for a socket still in its opening handshake.
        """
        if self._feed is not None:
            self._feed.cancel()
        for server in self._servers:
            server.close()
        if self._servers and self._straggler_timer is None:
            self._straggler_timer = asyncio.get_running_loop().call_later(
                self.config.close_timeout, self._drop_stragglers
            )

    def _drop_stragglers(self) -> None:
        stragglers = list(self._connection_type.roster)
        if stragglers:
            log.info("dropping %d connection(s) still open at shutdown", len(stragglers))
        for connection in stragglers:
            connection.transport.abort()

    async def wait_closed(self) -> None:
        for server in self._servers:
            await server.wait_closed()
        if self._straggler_timer is not None:
            self._straggler_timer.cancel()
        if self._feed is not None:
            await asyncio.gather(self._feed, return_exceptions=True)

    async def __aenter__(self) -> ChronoServer:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
        await self.wait_closed()

    @property
    def sockets(self) -> list[socket.socket]:
        return [sock for server in self._servers for sock in server.sockets]

    @property
    def port(self) -> int:
        """The port listened on (useful after binding port 0)."""
        return int(self.sockets[0].getsockname()[1])

    @property
    def open_connections(self) -> int:
        """Upgraded connections whose handler runs (a count: checked at every handshake)."""
        return self._open

    # --- internals ------------------------------------------------------------

    async def _serve(self, host: str, port: int) -> Server:
        # The TLS handshake comes before websockets' own, so it needs its own bounds.
        tls: dict[str, Any] = {}
        if self._tls is not None:
            tls = {
                "ssl": self._tls,
                "ssl_handshake_timeout": self.config.handshake_timeout,
                "ssl_shutdown_timeout": self.config.close_timeout,
            }
        return await serve(
            self._handle,
            host,
            port,
            process_request=self._endpoints.process_request,
            process_response=self._endpoints.process_response,
            create_connection=self._connection_type,
            # Each update is encoded once for all subscribers; per-connection
            # compression would re-encode it per client and cost ~50 KiB each.
            compression=None,
            open_timeout=self.config.handshake_timeout,
            ping_interval=self.config.ping_interval,
            ping_timeout=self.config.ping_timeout,
            close_timeout=self.config.close_timeout,
            max_size=self.config.limits.max_message_bytes,
            # Incoming messages buffered per connection: small, since each may be 1 MiB.
            max_queue=4,
            **tls,
        )

    async def _run_feed(self) -> None:
        try:
            await pump(
                self.source,
                self.hub,
                self.clock,
                wait_for_subscriber=self._wait_for_subscriber,
                wait_for_room=self._wait_for_room,
                on_batch=self._flusher.batch_published if self._flusher else None,
            )
            log.info(
                "price source exhausted; connections stay open", extra={"event": "feed.exhausted"}
            )
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception(
                "price source failed; no more prices will be published",
                extra={"event": "feed.failed"},
            )

    async def _wait_for_subscriber(self) -> None:
        # A subscription is acknowledged with a reply, whose flush sets the event.
        while not self.hub.has_subscribers:
            self._drained.clear()
            await self._drained.wait()

    async def _wait_for_room(self) -> None:
        # Room for a whole batch below the outbox's conflation threshold.
        limit = max(0, self.config.limits.price_backlog - CLIENT_PACED_BATCH)
        while not self.hub.has_room(limit):
            self._drained.clear()
            await self._drained.wait()

    async def _handle(self, ws: ServerConnection) -> None:
        self._open += 1
        try:
            await self._converse(ws)
        finally:
            self._open -= 1

    async def _converse(self, ws: ServerConnection) -> None:
        request = ws.request
        assert request is not None  # the handler runs only after a successful handshake
        # get_all: a repeated header must not crash the handler (Headers.get would raise).
        authorization = request.headers.get_all("Authorization")
        key = presented_key(authorization[0] if authorization else None, request.path)
        # The handshake's headers are not read again: about 2 KiB a connection.
        request.headers.clear()
        ws.response = None
        admission = self.gatekeeper.admit(key)
        if isinstance(admission, Refusal):
            peer, shown, code = (
                format_peer(ws.remote_address),
                redact(key or ""),
                str(admission.code),
            )
            self.metrics.refused(code)
            log.debug(
                "refused %s (%s): %s",
                peer,
                shown,
                code,
                extra={"event": "connection.refused", "peer": peer, "key": shown, "code": code},
            )
            await refuse(ws, admission, self.clock)
            return
        api_key = admission.api_key
        self._log_connection("open", ws, api_key)
        self.metrics.opened(api_key)
        assert isinstance(ws, StreamConnection)  # create_connection=StreamConnection
        assert self._flusher is not None  # set by start()
        # Awaited here, not in a helper coroutine: its frame would live as long as the
        # connection, like everything this frame still holds then (~1 KiB each).
        try:
            await run_session(
                ws,
                functools.partial(self._open_session, admission),
                self.clock,
                self._flusher,
                stall_timeout=self.config.stall_timeout,
                close_timeout=self.config.close_timeout,
                on_drained=self._drained.set,
            )
        finally:
            self.metrics.closed(api_key)
        self._log_connection("close", ws, api_key)

    def _log_connection(self, what: str, ws: ServerConnection, api_key: ApiKey) -> None:
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

    def _open_session(self, lease: Lease, on_ready: Callable[[], None]) -> Session:
        # Faults, when configured, replace `session_type` (a fault-free server pays nothing).
        open_session = self.session_type if self._faults is None else self._faults.open_session
        return open_session(
            lease=lease,
            hub=self.hub,
            catalog=self.config.catalog,
            clock=self.clock,
            limits=self.config.limits,
            on_ready=on_ready,
            on_conflate=self._count_conflated,
        )
