"""The HTTP side of a `ChronoServer`: what each path answers, and which upgrades it refuses."""

from __future__ import annotations

import http
import logging
from collections.abc import Callable

import msgspec
from websockets.asyncio.server import ServerConnection
from websockets.http11 import Request, Response

from chrono_sim.protocol.clock import Clock
from chrono_sim.protocol.hub import Hub
from chrono_sim.protocol.ratelimit import KeyedRateLimiter
from chrono_sim.server import http as responses
from chrono_sim.server.config import ServerConfig
from chrono_sim.server.docs import render_docs
from chrono_sim.server.logs import format_peer
from chrono_sim.server.metrics import HTTP_IP_RATE, HTTP_SERVER_FULL, ServerMetrics
from chrono_sim.version import __version__

log = logging.getLogger("chrono_sim.server")

NOT_AN_UPGRADE = frozenset({http.HTTPStatus.UPGRADE_REQUIRED, http.HTTPStatus.METHOD_NOT_ALLOWED})


class Endpoints:
    """websockets' `process_request` and `process_response` hooks for one server.

    `/stream` upgrades unless the client's address is over `ip_connect_rate`
    (429) or `open_connections()` is at `max_connections` (503); `/healthz`,
    `/symbols`, `/metrics` and `/docs` answer plain HTTP. `port()` is the port
    listened on, for `/docs` requested without a `Host` header.
    """

    def __init__(
        self,
        config: ServerConfig,
        *,
        hub: Hub,
        metrics: ServerMetrics,
        clock: Clock,
        open_connections: Callable[[], int],
        port: Callable[[], int],
    ) -> None:
        self._config = config
        self._hub = hub
        self._metrics = metrics
        self._clock = clock
        self._open_connections = open_connections
        self._port = port
        self._address_limiter = (
            KeyedRateLimiter(per_minute=config.ip_connect_rate) if config.ip_connect_rate else None
        )
        self._started = clock.monotonic()

    def process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        """The answer to `request`, or None to go on with the WebSocket upgrade."""
        path = request.path.partition("?")[0]
        if path == responses.STREAM_PATH:
            return self._check_capacity(connection)
        if path == "/metrics":
            return responses.metrics_response(self._metrics.exposition())
        if path == "/healthz":
            return responses.json_response(msgspec.json.encode(self._health()))
        if path == "/symbols":
            return responses.json_response(msgspec.json.encode(self._symbols()))
        if path == "/docs":
            hosts = request.headers.get_all("Host")
            host = hosts[0] if hosts else f"localhost:{self._port()}"
            return responses.html_response(render_docs(self._config, host))
        return responses.not_found(path)

    def process_response(
        self, connection: ServerConnection, request: Request, response: Response
    ) -> Response | None:
        """websockets' own answer, except a plain HTTP request to `/stream`."""
        # websockets answers a plain HTTP request with 426 (405 for another method);
        # the protocol says 400.
        if response.status_code in NOT_AN_UPGRADE:
            return responses.not_an_upgrade()
        return None

    def _check_capacity(self, connection: ServerConnection) -> Response | None:
        if self._address_limiter is not None:
            address = str(connection.remote_address[0])
            if self._address_limiter.try_take(address, self._clock.monotonic()) > 0:
                self._refused(connection, HTTP_IP_RATE)
                return responses.text_response(
                    http.HTTPStatus.TOO_MANY_REQUESTS,
                    "Too many connection attempts from this address; slow down.",
                )
        if self._open_connections() >= self._config.max_connections:
            self._refused(connection, HTTP_SERVER_FULL)
            return responses.text_response(
                http.HTTPStatus.SERVICE_UNAVAILABLE,
                "Server at its connection limit; retry later.",
            )
        return None

    def _refused(self, connection: ServerConnection, code: str) -> None:
        self._metrics.refused(code)
        peer = format_peer(connection.remote_address)
        fields = {"event": "http.refused", "peer": peer, "code": code}
        log.debug("refused %s: %s", peer, code, extra=fields)

    def _health(self) -> dict[str, object]:
        return {
            "status": "ok",
            "version": __version__,
            "connections": self._open_connections(),
            "symbols": len(self._config.catalog),
            "published": self._hub.published,
            "uptime_seconds": round(self._clock.monotonic() - self._started, 3),
        }

    def _symbols(self) -> dict[str, object]:
        listing = []
        for spec in self._config.catalog:
            latest = self._hub.latest(spec.symbol)
            listing.append(
                {
                    "symbol": spec.symbol,
                    "sources": list(spec.exchanges),
                    "reference_price": spec.reference_price,
                    "last_price": latest.price if latest else None,
                    "last_update": latest.timestamp if latest else None,
                }
            )
        return {"symbols": listing}
