"""`FeedClient`: connect, subscribe, stream, and come back by itself when the link drops."""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import ssl as ssl_module
from collections.abc import AsyncGenerator, AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlencode

from msgspec import UnsetType
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake
from websockets.protocol import State

from chrono_sim.client.backoff import ReconnectPolicy
from chrono_sim.client.closing import close_reading
from chrono_sim.client.events import (
    Connected,
    Disconnected,
    FeedEvent,
    Heartbeat,
    Price,
    Retrying,
    Subscribed,
)
from chrono_sim.client.gaps import UNSEQUENCED, SeqTracker
from chrono_sim.client.handshake import describe_failure, unfixable
from chrono_sim.client.urls import check_tls_url, parse_stream_url
from chrono_sim.errors import (
    AuthenticationError,
    MessageError,
    RequestRefusedError,
    ServerUnreachableError,
)
from chrono_sim.failures import cannot_connect, describe_os_error
from chrono_sim.protocol.clock import Clock, SystemClock
from chrono_sim.protocol.messages import (
    CloseCode,
    Error,
    ErrorCode,
    Pong,
    PriceUpdate,
    ServerMessage,
    decode_server_message,
)
from chrono_sim.protocol.messages import Subscribed as SubscribedMessage

AuthMode = Literal["header", "query"]
SUBSCRIBE_ID = "chrono-subscribe"
# Replies to our own subscribe that no retry can change.
FATAL_REPLIES = frozenset(
    {ErrorCode.UNKNOWN_SYMBOL, ErrorCode.SUBSCRIPTION_LIMIT, ErrorCode.VALIDATION_ERROR}
)


@dataclass(slots=True)
class _Outcome:
    """How one connection ended, for deciding when and whether to try again."""

    code: int | None = None
    reason: str = "connection closed"
    retry_after: float = 0.0
    subscribed: bool = False

    def refused_by(self, error: Error) -> None:
        self.retry_after = max(self.retry_after, _retry_after(error))
        self.reason = f"{error.code}: {error.message}"

    def closed(self, ws: ClientConnection) -> None:
        self.code = ws.close_code
        if ws.close_code is not None:
            self.reason = f"closed {ws.close_code}" + (
                f" ({ws.close_reason})" if ws.close_reason else ""
            )


class FeedClient:
    """Streams `symbols` from a `/stream` server, reconnecting until `aclose()`.

    Iterate `events()`; it raises `AuthenticationError` or `RequestRefusedError`
    when the server says retrying cannot help, and `ServerUnreachableError` when
    a wss:// server's certificate is not trusted (`ssl` can trust a private CA),
    or opening fails in a way no retry fixes (see `chrono_sim.client.handshake`:
    an HTTP 4xx but 429, a host name that does not exist, ws:// to a TLS server).
    Use as an async context manager so that leaving it unsubscribes and closes
    the connection cleanly.
    """

    def __init__(
        self,
        url: str,
        *,
        api_key: str,
        symbols: Sequence[str],
        snapshot: bool = False,
        auth: AuthMode = "header",
        policy: ReconnectPolicy | None = None,
        clock: Clock | None = None,
        open_timeout: float = 10.0,
        rng: random.Random | None = None,
        ssl: ssl_module.SSLContext | None = None,
    ) -> None:
        parts = parse_stream_url(url)
        if ssl is not None:
            check_tls_url(url)
        self.ssl = ssl
        # ssl=None would mean "no TLS", which websockets refuses for wss://: leave it out.
        self._tls_options: dict[str, Any] = {} if ssl is None else {"ssl": ssl}
        self.url = url
        self.symbols = tuple(symbols)
        self.gaps = SeqTracker()
        self._snapshot = snapshot
        self._policy = policy or ReconnectPolicy()
        self._clock = clock or SystemClock()
        self._open_timeout = open_timeout
        self._rng = rng or random.Random()
        self._headers: dict[str, str] = {}
        self._connect_url = url
        if auth == "header":
            self._headers["Authorization"] = f"Bearer {api_key}"
        else:
            separator = "&" if parts.query else "?"
            self._connect_url = url + separator + urlencode({"api_key": api_key})
        self._ws: ClientConnection | None = None
        self._closing = False
        self._resolved = False  # the host name has resolved (a connection was opened)

    async def __aenter__(self) -> FeedClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def events(self) -> AsyncIterator[FeedEvent]:
        """Yield what happens on the feed, across reconnects, until `aclose()`."""
        attempt = 0
        while not self._closing:
            outcome = _Outcome()
            async with contextlib.aclosing(self._connection(attempt, outcome)) as stream:
                async for event in stream:
                    yield event
            if self._closing:
                return
            if outcome.code == CloseCode.UNAUTHORIZED:
                raise AuthenticationError(outcome.reason)
            attempt = 1 if outcome.subscribed else attempt + 1
            yield Disconnected(outcome.code, outcome.reason)
            delay = max(self._policy.delay(attempt, self._rng), outcome.retry_after)
            yield Retrying(attempt, delay, outcome.reason, self._clock.monotonic() + delay)
            await asyncio.sleep(delay)

    async def _connection(self, attempt: int, outcome: _Outcome) -> AsyncGenerator[FeedEvent, None]:
        """One connection: connect, subscribe, stream; how it ended goes into `outcome`."""
        try:
            async with connect(
                self._connect_url,
                additional_headers=self._headers,
                open_timeout=self._open_timeout,
                compression=None,
                **self._tls_options,
            ) as ws:
                self._ws = ws
                self._resolved = True
                self.gaps.new_connection()
                try:
                    yield Connected(self.url, attempt)
                    # A refused connection may already be closing; what the server said
                    # before closing (the reason) is still there to read below.
                    with contextlib.suppress(ConnectionClosed):
                        await self._subscribe(ws)
                    async for data in ws:
                        if isinstance(data, bytes):
                            continue  # the protocol sends text only; tolerate, do not crash
                        event = await self._handle(ws, data)
                        if isinstance(event, Error):
                            outcome.refused_by(event)
                        elif event is not None:
                            outcome.subscribed |= isinstance(event, Subscribed)
                            yield event
                finally:
                    # Leaving early (the caller stopped, Ctrl-C): say goodbye properly,
                    # reading on so a backlog cannot hide the server's close frame.
                    await _unsubscribe(ws)
                    await close_reading(ws, self._open_timeout)
            outcome.closed(ws)
        except ConnectionClosed:
            if self._ws is not None:
                outcome.closed(self._ws)
        except ssl_module.SSLCertVerificationError as exc:
            # An untrusted certificate stays untrusted: retrying would only hide it.
            raise ServerUnreachableError(cannot_connect(self.url, describe_os_error(exc))) from None
        except (OSError, TimeoutError, InvalidHandshake) as exc:
            error = await unfixable(self.url, exc, resolved_before=self._resolved)
            if error is not None:  # HTTP 4xx, no such host name, ws:// to a TLS server
                raise error from None
            outcome.reason = describe_failure(exc)
        finally:
            self._ws = None

    async def aclose(self) -> None:
        """Unsubscribe and close the connection (if one is open); stop reconnecting."""
        self._closing = True
        ws = self._ws
        if ws is None:
            return
        await _unsubscribe(ws)
        await close_reading(ws, self._open_timeout)

    async def _subscribe(self, ws: ClientConnection) -> None:
        message: dict[str, object] = {
            "type": "subscribe",
            "symbols": list(self.symbols),
            "id": SUBSCRIBE_ID,
        }
        if self._snapshot:
            message["snapshot"] = True
        await ws.send(json.dumps(message))

    async def _handle(self, ws: ClientConnection, data: str) -> FeedEvent | Error | None:
        try:
            message: ServerMessage = decode_server_message(data)
        except MessageError:
            return None  # unknown message types are the protocol's allowed extensions
        now = self._clock.time()
        if isinstance(message, PriceUpdate):
            verdict = UNSEQUENCED
            if not isinstance(message.seq, UnsetType):
                snapshot = message.snapshot is True
                verdict = self.gaps.classify(message.symbol, message.seq, snapshot=snapshot)
            return Price(message, data, now, verdict.missed, verdict.kind, verdict.across_reconnect)
        if isinstance(message, Pong):
            return Heartbeat(now, message.timestamp)
        if isinstance(message, SubscribedMessage):
            return Subscribed(tuple(message.symbols)) if message.id == SUBSCRIBE_ID else None
        if isinstance(message, Error):
            return await self._on_error(ws, message)
        return None

    async def _on_error(self, ws: ClientConnection, error: Error) -> Error | None:
        if error.code == ErrorCode.UNAUTHORIZED:
            raise AuthenticationError(error.message)
        if error.id != SUBSCRIBE_ID:
            return error  # a refusal of the connection itself: the close that follows decides
        if error.code in FATAL_REPLIES:
            symbols = () if isinstance(error.symbols, UnsetType) else tuple(error.symbols)
            raise RequestRefusedError(error.message, code=error.code, symbols=symbols)
        if error.code == ErrorCode.RATE_LIMITED:
            await asyncio.sleep(_retry_after(error))
            await self._subscribe(ws)
        return None


async def _unsubscribe(ws: ClientConnection) -> None:
    if ws.state is State.OPEN:
        with contextlib.suppress(ConnectionClosed):
            await ws.send(json.dumps({"type": "unsubscribe"}))


def _retry_after(error: Error) -> float:
    return 0.0 if isinstance(error.retry_after_ms, UnsetType) else error.retry_after_ms / 1000
