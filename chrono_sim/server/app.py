"""`ChronoServer`: lifecycle and wiring only; each job is done by a module of its own.

- `connection`: one connection from handshake to close (admission with its
  logs and metrics, the session, the guarded transport, the writer);
- `feed`: the price source's task and its flow control;
- `endpoints`, `http`, `docs`: the plain HTTP endpoints beside `/stream`.

Sessions are opened through one seam, a `SessionFactory` (see
`chrono_sim.protocol.session`): given the `SessionSettings` of an admitted
connection, it returns its `Session`. The default is `Session` itself, or with
`--fault` a `FaultInjector`, which gives each session a `FaultPolicy`. Any
other factory shapes sessions without a fork of the server: one may give
each session a `DeliveryPolicy` of its own, or open a `Session` subclass.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections import Counter
from types import TracebackType
from typing import Any

from websockets.asyncio.server import Server, serve

from chrono_sim.errors import ConfigError
from chrono_sim.faults.policy import FaultInjector
from chrono_sim.protocol.admission import Gatekeeper
from chrono_sim.protocol.clock import Clock, SystemClock
from chrono_sim.protocol.hub import Hub
from chrono_sim.protocol.session import Session, SessionFactory
from chrono_sim.server.config import ServerConfig
from chrono_sim.server.connection import ConnectionHandler, Flusher, connection_type, drop_all
from chrono_sim.server.endpoints import Endpoints
from chrono_sim.server.feed import Feed
from chrono_sim.server.metrics import ServerMetrics
from chrono_sim.server.tls import server_tls_context
from chrono_sim.sources.base import PriceSource
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
    `session_factory` opens the session of each admitted connection (see the module's
    docstring); it replaces the default, which is what injects `config.faults`,
    so it cannot be given with them.
    """

    def __init__(
        self,
        config: ServerConfig,
        *,
        source: PriceSource | None = None,
        clock: Clock | None = None,
        hub: Hub | None = None,
        session_factory: SessionFactory | None = None,
    ) -> None:
        self.config = config
        # Built here, so that unusable certificate files fail before anything listens.
        self._tls = server_tls_context(config)
        self.clock = clock or SystemClock()
        self.source = source or SyntheticSource(
            catalog=config.catalog, clock=self.clock, seed=config.seed, interval=config.interval
        )
        self.hub = hub or Hub()
        self.gatekeeper = Gatekeeper(config.keys, self.clock)
        # Faults injected so far, by kind ("drop", "duplicate", ...), across all connections.
        self.fault_counts: Counter[str] = Counter()
        if session_factory is not None and config.faults is not None:
            raise ConfigError("a server given its own session factory cannot also inject faults")
        if session_factory is None and config.faults is not None:
            faults = FaultInjector(config.faults, seed=config.seed, counts=self.fault_counts)
            session_factory = faults.open_session
        self.session_factory: SessionFactory = session_factory or Session
        self.metrics = ServerMetrics(
            keys=config.keys, published=lambda: self.hub.published, faults=lambda: self.fault_counts
        )
        self._feed = Feed(
            self.source, self.hub, self.clock, price_backlog=config.limits.price_backlog
        )
        self._connection_type = connection_type(max_pings_per_minute=config.max_pings_per_minute)
        self._handler: ConnectionHandler | None = None  # made by start(), in the event loop
        self._servers: list[Server] = []
        self._straggler_timer: asyncio.TimerHandle | None = None
        self._endpoints = Endpoints(
            config,
            hub=self.hub,
            metrics=self.metrics,
            clock=self.clock,
            open_connections=lambda: self.open_connections,
            port=lambda: self.port,
        )

    async def start(self) -> None:
        """Bind every address and start the feed; raises OSError if the port is taken."""
        flusher = Flusher(on_flushed=self.metrics.flushed)
        config = self.config
        self._handler = ConnectionHandler(
            gatekeeper=self.gatekeeper,
            session_factory=self.session_factory,
            hub=self.hub,
            catalog=config.catalog,
            clock=self.clock,
            limits=config.limits,
            metrics=self.metrics,
            flusher=flusher,
            stall_timeout=config.stall_timeout,
            close_timeout=config.close_timeout,
            on_drained=self._feed.drained,
        )
        hosts = LOOPBACK_HOSTS if config.host == "localhost" else (config.host,)
        port = config.port
        try:
            for index, host in enumerate(hosts):
                try:
                    self._servers.append(await self._serve(self._handler, host, port))
                except OSError:
                    if index == 0:
                        raise
                    log.warning("could not also listen on %s; serving %s only", host, hosts[0])
                port = self.port  # with port 0, every host shares the port the first one got
        except BaseException:
            self.close()
            raise
        self._feed.start(on_batch=flusher.batch_published)

    def close(self) -> None:
        """Stop listening and close every connection with 1001 (going away).

        Whatever is still open `close_timeout` later is dropped: websockets' close
        waits for a full socket buffer to drain (until the stall bound drops a peer
        that reads nothing), and for a socket still in its opening handshake.
        """
        self._feed.cancel()
        for server in self._servers:
            server.close()
        if self._servers and self._straggler_timer is None:
            self._straggler_timer = asyncio.get_running_loop().call_later(
                self.config.close_timeout, drop_all, self._connection_type
            )

    async def wait_closed(self) -> None:
        for server in self._servers:
            await server.wait_closed()
        if self._straggler_timer is not None:
            self._straggler_timer.cancel()
        await self._feed.wait()

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
        return 0 if self._handler is None else self._handler.open

    async def _serve(self, handler: ConnectionHandler, host: str, port: int) -> Server:
        # The TLS handshake comes before websockets' own, so it needs its own bounds.
        tls: dict[str, Any] = {}
        if self._tls is not None:
            tls = {
                "ssl": self._tls,
                "ssl_handshake_timeout": self.config.handshake_timeout,
                "ssl_shutdown_timeout": self.config.close_timeout,
            }
        return await serve(
            handler,
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
