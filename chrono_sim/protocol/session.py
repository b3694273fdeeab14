"""One client connection as a pure state machine: frames in, frames out.

The server adapter feeds it what the socket receives (`receive`), what the
hub publishes (`deliver`) and the passing of time (`on_timer` at
`next_deadline()`), and writes out what `take_frames()` returns. Nothing here
touches a socket, so every rule of the protocol can be tested in microseconds
with a `ManualClock`.

Every rule of the protocol lives in `Session`. What may bend the delivery of
prices on purpose (the injected faults of `chrono serve --fault`, a test's
scripted misbehaviour) is a `DeliveryPolicy` given to the session: it takes
each price frame instead of the outbox, keeps deadlines of its own, and can
hold output back. Without one, a published frame goes straight to the outbox,
at no cost per frame. `SessionSettings` is what a server knows when it opens
a connection's session, and `SessionFactory` the one seam through which a
server opens them (see `chrono_sim.server.app`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from msgspec import UNSET, UnsetType

from chrono_sim.errors import MessageError
from chrono_sim.protocol.admission import Lease, rate_limited
from chrono_sim.protocol.catalog import Catalog
from chrono_sim.protocol.clock import Clock
from chrono_sim.protocol.delivery import Close, DeliveryPolicy
from chrono_sim.protocol.hub import Hub
from chrono_sim.protocol.limits import ProtocolLimits
from chrono_sim.protocol.messages import (
    CloseCode,
    Error,
    ErrorCode,
    MessageId,
    Ping,
    Pong,
    Subscribe,
    Subscribed,
    Unsubscribe,
    Unsubscribed,
    decode_client_message,
    encode,
)
from chrono_sim.protocol.outbox import Outbox
from chrono_sim.protocol.timestamps import format_timestamp
from chrono_sim.protocol.wire import text_frame

INVALID_FORMAT = "Invalid message format"


def _nothing() -> None:
    pass


def _discarded(count: int) -> None:
    pass


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionSettings:
    """Everything a server gives the session of one admitted connection (see `Session`)."""

    lease: Lease
    hub: Hub
    catalog: Catalog
    clock: Clock
    limits: ProtocolLimits
    on_ready: Callable[[], None] = _nothing
    on_conflate: Callable[[int], None] = _discarded


class SessionFactory(Protocol):
    """Opens the session of each connection a server admits: `Session` itself, or a wrapper."""

    def __call__(self, settings: SessionSettings, /) -> Session: ...


class Session:
    """The protocol state of one admitted connection.

    `on_ready` and `on_conflate` go to the session's `Outbox`: frames wait to be
    written; price frames were discarded by conflation (how many). `policy`,
    if any, takes every price frame the hub delivers (see `DeliveryPolicy`).
    """

    # Set only with a policy: a fault-free session holds no more than before.
    _policy: DeliveryPolicy | None = None

    def __init__(self, settings: SessionSettings, *, policy: DeliveryPolicy | None = None) -> None:
        self._lease = settings.lease
        self._hub = settings.hub
        self._catalog = settings.catalog
        self._clock = clock = settings.clock
        self._limits = limits = settings.limits
        self.outbox = Outbox(
            reply_limit_bytes=limits.reply_backlog_bytes,
            price_limit=limits.price_backlog,
            on_ready=settings.on_ready,
            on_conflate=settings.on_conflate,
        )
        self._symbols: dict[str, None] = {}  # a dict keeps subscription order
        now = clock.monotonic()
        self._last_activity = now
        self._next_heartbeat = now + limits.heartbeat_interval
        self._closed = False
        if policy is not None:
            self._policy = policy
            # Instead of the method, for this session only: the fault-free path stays
            # one call from the hub to the outbox, without a check per frame.
            self.deliver = functools.partial(policy.deliver, self.outbox)  # type: ignore[method-assign]

    @property
    def policy(self) -> DeliveryPolicy | None:
        """The session's `DeliveryPolicy`, if it was given one."""
        return self._policy

    @property
    def symbols(self) -> tuple[str, ...]:
        """The symbols held, in the order they were subscribed."""
        return tuple(self._symbols)

    @property
    def pending_prices(self) -> int:
        """Price frames published to this client and not yet taken for writing."""
        policy = self._policy
        # Held frames count: a client-paced feed must wait for them too.
        held = 0 if policy is None else policy.pending
        return self.outbox.pending_prices + held

    @property
    def backlogged(self) -> bool:
        """True while the client leaves too many replies unread: stop reading its requests."""
        return self.outbox.replies_full

    # --- inputs ---------------------------------------------------------------

    def receive(self, data: str | bytes) -> None:
        """Handle one message from the client; `bytes` means a binary frame."""
        self._last_activity = self._clock.monotonic()
        if isinstance(data, bytes):
            self._error(
                ErrorCode.VALIDATION_ERROR, f"{INVALID_FORMAT}: binary frames are not supported"
            )
            return
        try:
            message = decode_client_message(data)
        except MessageError as exc:
            reply_id: MessageId | UnsetType = UNSET if exc.message_id is None else exc.message_id
            self._error(ErrorCode.VALIDATION_ERROR, f"{INVALID_FORMAT}: {exc.detail}", reply_id)
            return
        if isinstance(message, Ping):
            self._reply(Pong(timestamp=self._timestamp(), id=message.id))
        elif isinstance(message, Subscribe):
            self._subscribe(message)
        else:
            self._unsubscribe(message)

    def deliver(self, symbol: str, frame: bytes) -> None:
        """Take a published price frame (called by the hub for subscribed symbols)."""
        self.outbox.put_price(symbol, frame)

    def on_timer(self) -> Close | None:
        """Run what is due now: the policy's deadlines, then the idle timeout, then a heartbeat."""
        now = self._clock.monotonic()
        policy = self._policy
        if policy is not None:
            paused = policy.paused
            if (close := policy.on_timer(self.outbox, now)) is not None:
                return close
            if paused and not policy.paused:
                # Frames that arrived while paused were announced then, and not taken.
                self.outbox.announce()
        if now >= self._last_activity + self._limits.idle_timeout:
            return Close(CloseCode.IDLE_TIMEOUT, "idle timeout")
        if now >= self._next_heartbeat:
            # A client that leaves replies unread needs no more heartbeats on the pile
            # (documented in /docs): the one it has not read yet says as much.
            if not self.outbox.replies_full:
                self._reply(Pong(timestamp=self._timestamp()))
            self._next_heartbeat += self._limits.heartbeat_interval
            if self._next_heartbeat <= now:  # the timer ran late: do not send a burst
                self._next_heartbeat = now + self._limits.heartbeat_interval
        return None

    def next_deadline(self) -> float:
        """When `on_timer` next has something to do (a `Clock.monotonic()` reading).

        Outside `on_timer` it only moves later, unless the `policy` says otherwise.
        """
        own = min(self._last_activity + self._limits.idle_timeout, self._next_heartbeat)
        policy = self._policy
        return own if policy is None else min(own, policy.next_deadline())

    # --- outputs --------------------------------------------------------------

    def take_frames(self) -> list[bytes]:
        """Every frame to write now, wire-ready and in order; a price delivered is activity."""
        policy = self._policy
        if policy is not None and policy.paused:
            return []
        batch = self.outbox.take()
        if batch.price_frames:
            self._last_activity = self._clock.monotonic()
        return batch.frames

    def close(self) -> None:
        """Leave the hub and give the key's connection slot back; idempotent."""
        if not self._closed:
            self._closed = True
            self._hub.unsubscribe(self, self._symbols)
            self._symbols.clear()
            self._lease.release()
            if self._policy is not None:
                self._policy.close()

    # --- rules ----------------------------------------------------------------

    def _subscribe(self, message: Subscribe) -> None:
        limit = self._limits.max_symbols
        distinct: dict[str, str] = {}
        for name in message.symbols:
            distinct.setdefault(name.casefold(), name)
        if len(distinct) > limit:
            self._error(
                ErrorCode.SUBSCRIPTION_LIMIT,
                f"Too many symbols: {len(distinct)} in one request, at most {limit}",
                message.id,
            )
            return
        if not self._charge(message.id):
            return
        canonical: list[str] = []
        unknown: list[str] = []
        for name in distinct.values():
            symbol = self._catalog.canonical(name)
            if symbol is None:
                unknown.append(name)
            else:
                canonical.append(symbol)
        if unknown:
            self._error(
                ErrorCode.UNKNOWN_SYMBOL,
                f"Symbol not found: {', '.join(unknown)}",
                message.id,
                symbols=unknown,
            )
            return
        added = [symbol for symbol in canonical if symbol not in self._symbols]
        if len(self._symbols) + len(added) > limit:
            self._error(
                ErrorCode.SUBSCRIPTION_LIMIT,
                f"Too many symbols: this connection holds {len(self._symbols)}, "
                f"{len(added)} more would exceed {limit}",
                message.id,
                symbols=added,
            )
            return
        self._symbols.update(dict.fromkeys(added))
        self._hub.subscribe(self, added)
        self._reply(Subscribed(symbols=canonical, timestamp=self._timestamp(), id=message.id))
        if message.snapshot:
            self._send_snapshots(canonical)

    def _send_snapshots(self, symbols: list[str]) -> None:
        if self._policy is not None:  # a held older update would arrive after the snapshot
            self._policy.discard(symbols)
        snapshots = {symbol: self._hub.snapshot(symbol) for symbol in symbols}
        frames = {symbol: frame for symbol, frame in snapshots.items() if frame is not None}
        # A snapshot is the latest price: a pending live copy would repeat its seq.
        self.outbox.discard_prices(frames)
        for frame in frames.values():
            self.outbox.put_reply(frame)

    def _unsubscribe(self, message: Unsubscribe) -> None:
        if not self._charge(message.id):
            return
        if isinstance(message.symbols, UnsetType):
            removed = list(self._symbols)
        else:
            removed = []
            for name in message.symbols:
                symbol = self._catalog.canonical(name)
                if symbol in self._symbols and symbol not in removed:
                    removed.append(symbol)
        for symbol in removed:
            del self._symbols[symbol]
        self._hub.unsubscribe(self, removed)
        self.outbox.discard_prices(removed)
        if self._policy is not None:
            self._policy.discard(removed)
        self._reply(Unsubscribed(symbols=removed, timestamp=self._timestamp(), id=message.id))

    def _charge(self, reply_id: MessageId | UnsetType) -> bool:
        retry_after_ms = self._lease.try_request()
        if retry_after_ms is None:
            return True
        refusal = rate_limited(retry_after_ms)
        self._error(refusal.code, refusal.message, reply_id, retry_after_ms=retry_after_ms)
        return False

    def _error(
        self,
        code: ErrorCode,
        text: str,
        reply_id: MessageId | UnsetType = UNSET,
        *,
        symbols: list[str] | UnsetType = UNSET,
        retry_after_ms: int | UnsetType = UNSET,
    ) -> None:
        self._reply(
            Error(
                message=text,
                code=code,
                timestamp=self._timestamp(),
                symbols=symbols,
                id=reply_id,
                retry_after_ms=retry_after_ms,
            )
        )

    def _reply(self, message: Pong | Subscribed | Unsubscribed | Error) -> None:
        self.outbox.put_reply(text_frame(encode(message)))

    def _timestamp(self) -> str:
        return format_timestamp(self._clock.time())
