"""One connection under test: open it with a chosen way of presenting the key, talk, listen.

Replies are matched by order, not by `id`: the protocol answers each client
message in turn, and a server that forgets to echo `id` must fail only the
rule about `id`. The one ambiguity, a heartbeat `pong` against the reply to a
`ping`, is settled by taking a `pong` carrying our `id` and, failing that, the
first `pong` without one.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

import msgspec
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus, WebSocketException

from chrono_sim.client.closing import close_reading
from chrono_sim.client.handshake import describe_failure, describe_status, unfixable
from chrono_sim.conformance.budget import RequestBudget
from chrono_sim.conformance.settings import CheckSettings
from chrono_sim.conformance.shapes import Message, describe_close, describe_reply, quote
from chrono_sim.conformance.transcript import TimestampLog
from chrono_sim.errors import CheckFailed, ServerUnreachableError
from chrono_sim.failures import cannot_connect

REPLY_TYPES = frozenset({"subscribed", "unsubscribed", "error"})
CHARGED_TYPES = frozenset({"subscribe", "unsubscribe"})  # ping and invalid messages are free
_serial = itertools.count(1)


@dataclass(frozen=True, slots=True)
class Auth:
    """How a handshake presents a key: an `Authorization` header value, `?api_key=`, both."""

    header: str | None = None
    query_key: str | None = None

    @classmethod
    def bearer(cls, key: str, scheme: str = "Bearer") -> Auth:
        return cls(header=f"{scheme} {key}")

    def url(self, base: str) -> str:
        if self.query_key is None:
            return base
        separator = "&" if urlsplit(base).query else "?"
        return base + separator + urlencode({"api_key": self.query_key})

    def headers(self) -> list[tuple[str, str]]:
        return [] if self.header is None else [("Authorization", self.header)]


@dataclass(frozen=True, slots=True)
class Refused:
    """The server turned a connection away: the `error` it sent (if any), then its close."""

    error: Message | None
    close_code: int | None
    close_reason: str | None

    @property
    def code(self) -> object:
        return None if self.error is None else self.error.get("code")

    @property
    def retry_after_ms(self) -> int | None:
        return None if self.error is None else retry_after_ms(self.error)

    def describe(self) -> str:
        said = "no error message" if self.error is None else describe_reply(self.error)
        if self.close_code is None and self.close_reason is None and self.error is not None:
            return f"{said}, connection left open"
        return f"{said}, then {describe_close(self.close_code, self.close_reason)}"


def next_id(prefix: str) -> str:
    """A fresh message `id`, unique within this process."""
    return f"chk-{prefix}-{next(_serial)}"


async def open_websocket(settings: CheckSettings, auth: Auth) -> ClientConnection:
    """Complete a WebSocket handshake, or raise `ServerUnreachableError` saying why not."""
    extra: dict[str, Any] = {"ssl": settings.ssl} if settings.ssl is not None else {}
    try:
        return await connect(
            auth.url(settings.url),
            additional_headers=auth.headers(),
            open_timeout=settings.timeout,
            close_timeout=settings.timeout,
            # Keepalive pings are frames a server might count as activity: the idle
            # timeout check must send nothing at all.
            ping_interval=None,
            # The 1 MiB rule is about what the server receives: send it uncompressed.
            compression=None,
            **extra,
        )
    except InvalidStatus as exc:
        reason = describe_status(exc.response.status_code, settings.url)
        raise ServerUnreachableError(cannot_connect(settings.url, reason)) from None
    except (OSError, TimeoutError, WebSocketException) as exc:  # TLS too: an SSLError is one
        if (error := await unfixable(settings.url, exc)) is not None:
            raise error from None  # says so when a ws:// URL reached a TLS server
        reason = describe_failure(exc)
        raise ServerUnreachableError(cannot_connect(settings.url, reason)) from None


class Probe:
    """An open connection; messages read but not yet asked for wait in order in `pending`."""

    def __init__(
        self, ws: ClientConnection, *, budget: RequestBudget, log: TimestampLog, timeout: float
    ) -> None:
        self.ws = ws
        self.opened_at = time.monotonic()
        self.pending: deque[Message] = deque()
        self._budget = budget
        self._log = log
        self._timeout = timeout

    # --- sending --------------------------------------------------------------

    async def send(self, message: Mapping[str, object]) -> None:
        await self.send_raw(msgspec.json.encode(message).decode())

    async def send_raw(self, data: str | bytes) -> None:
        """Send a text frame (`str`) or a binary frame (`bytes`)."""
        try:
            await self.ws.send(data)
        except ConnectionClosed:
            raise ConnectionEnded(f"{self._closed()} before sending") from None

    async def request(
        self, message: Mapping[str, object], *, retry_rate_limited: bool = True
    ) -> Message:
        """Send `message` (paying its token first) and return the server's reply to it.

        A RATE_LIMITED reply the checker did not provoke means the key's bucket
        was not as full as assumed: wait as told and send again.
        """
        cost = 1 if message.get("type") in CHARGED_TYPES else 0
        while True:
            await self._budget.take(cost)
            await self.send(message)
            reply = await self.reply_to(message)
            if not (retry_rate_limited and cost and is_error(reply, "RATE_LIMITED")):
                return reply
            await self._budget.throttled_for(retry_after_ms(reply))

    async def pay(self, tokens: int) -> None:
        """Take request tokens for messages about to be sent with `send` (not `request`)."""
        await self._budget.take(tokens)

    async def ping(self) -> Message:
        """Ping and return the pong; fails the check if the connection does not answer."""
        reply = await self.request({"type": "ping", "id": next_id("ping")})
        if reply.get("type") != "pong":
            raise CheckFailed(f"ping answered with {describe_reply(reply)}, not pong")
        return reply

    # --- receiving ------------------------------------------------------------

    async def reply_to(self, sent: Mapping[str, object] | None) -> Message:
        """The next reply: `subscribed`, `unsubscribed`, `error`, or the `pong` of a `ping`."""
        what = f"a reply to {sent.get('type')}" if sent is not None else "a reply"
        if sent is None or sent.get("type") != "ping":
            return await self.wait_for(lambda m: m.get("type") in REPLY_TYPES, what)
        ping_id = sent.get("id")
        return await self.wait_for(
            lambda m: (
                m.get("type") in REPLY_TYPES
                or (m.get("type") == "pong" and m.get("id", ping_id) == ping_id)
            ),
            what,
        )

    async def replies(self, count: int, what: str) -> list[Message]:
        """Read up to the `count`-th non-pong reply; returns them with every pong between."""
        seen: list[Message] = []
        while sum(m.get("type") in REPLY_TYPES for m in seen) < count:
            seen.append(await self.wait_for(lambda m: m.get("type") != "price_update", what))
        return seen

    async def wait_for(
        self, accept: Callable[[Message], bool], what: str, within: float | None = None
    ) -> Message:
        """The first message `accept` takes; the others stay in `pending`, in order."""
        for message in self.pending:
            if accept(message):
                self.pending.remove(message)
                return message
        limit = self._timeout if within is None else within
        deadline = time.monotonic() + limit
        while True:
            message = await self._read(what, deadline - time.monotonic(), limit)
            if accept(message):
                return message
            self.pending.append(message)

    async def listen(self, seconds: float) -> list[Message]:
        """Everything pending and everything that arrives within `seconds`."""
        heard = list(self.pending)
        self.pending.clear()
        deadline = time.monotonic() + seconds
        while (remaining := deadline - time.monotonic()) > 0:
            try:
                heard.append(await self._read("messages", remaining, seconds))
            except NoMessage:
                break
        return heard

    async def until_closed(
        self, what: str, within: float | None = None
    ) -> tuple[int | None, str | None]:
        """Wait for the server to close; messages meanwhile go to `pending`."""
        limit = self._timeout if within is None else within
        deadline = time.monotonic() + limit
        try:
            while True:
                self.pending.append(await self._read(what, deadline - time.monotonic(), limit))
        except ConnectionEnded:
            return self.ws.close_code, self.ws.close_reason

    async def close(self) -> None:
        await close_reading(self.ws, self._timeout)

    # --- internals ------------------------------------------------------------

    async def _read(self, what: str, remaining: float, limit: float) -> Message:
        try:
            data = await asyncio.wait_for(self.ws.recv(), max(0.0, remaining))
        except TimeoutError:
            raise NoMessage(f"{what} did not come within {limit:g} s") from None
        except ConnectionClosed:
            raise ConnectionEnded(f"{self._closed()} while waiting for {what}") from None
        if isinstance(data, bytes):
            raise CheckFailed(f"the server sent a binary frame while waiting for {what}")
        try:
            message = msgspec.json.decode(data)
        except msgspec.DecodeError:
            raise CheckFailed(f"the server sent text that is not JSON: {data[:80]!r}") from None
        if not isinstance(message, dict) or not isinstance(message.get("type"), str):
            raise CheckFailed(f"the server sent a message without a type: {quote(message)}")
        self._log.record(message)
        return message

    def _closed(self) -> str:
        closed = describe_close(self.ws.close_code, self.ws.close_reason)
        return f"the server ended the connection ({closed})"


class ConnectionEnded(CheckFailed):
    """The connection closed while a message was expected, or before one was sent."""


class NoMessage(CheckFailed):
    """The message waited for did not arrive in time."""


def is_error(message: Message, code: str) -> bool:
    return message.get("type") == "error" and message.get("code") == code


def retry_after_ms(message: Message) -> int | None:
    value = message.get("retry_after_ms")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


async def attempt(
    settings: CheckSettings,
    auth: Auth,
    *,
    budget: RequestBudget,
    log: TimestampLog,
    cost: int = 1,
    confirm: bool = True,
    retry_rate_limited: bool = True,
) -> Probe | Refused:
    """Open a connection and learn whether the server admitted it.

    With `confirm`, a `ping` tells: a `pong` means admitted; an `error` and a
    close mean refused. Without it the probe returns at once, for checks that
    must send nothing. `cost` is the tokens the attempt takes from the budget.
    """
    while True:
        await budget.take(cost)
        probe = Probe(
            await open_websocket(settings, auth), budget=budget, log=log, timeout=settings.timeout
        )
        if not confirm:
            return probe
        refused = await _admitted(probe)
        if refused is None:
            return probe
        if not (retry_rate_limited and refused.code == "RATE_LIMITED"):
            return refused
        await budget.throttled_for(refused.retry_after_ms)


async def _admitted(probe: Probe) -> Refused | None:
    ping = {"type": "ping", "id": next_id("open")}
    # A refusal may close before the ping goes out; its error is still there to read.
    with contextlib.suppress(ConnectionEnded):
        await probe.send(ping)
    try:
        first = await probe.reply_to(ping)
    except ConnectionEnded:
        return Refused(None, probe.ws.close_code, probe.ws.close_reason)
    if first.get("type") == "pong":
        return None
    try:
        code, reason = await probe.until_closed("the close after a refusal")
    except CheckFailed:
        code = reason = None  # an error, and the connection stays open
    return Refused(first, code, reason)
