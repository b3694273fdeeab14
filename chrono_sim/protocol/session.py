"""One client connection as a pure state machine: frames in, frames out.

The server adapter feeds it what the socket receives (`receive`), what the
hub publishes (`deliver`) and the passing of time (`on_timer` at
`next_deadline()`), and writes out what `take_frames()` returns. Nothing here
touches a socket, so every rule of the protocol can be tested in microseconds
with a `ManualClock`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from msgspec import UNSET, UnsetType

from chrono_sim.errors import MessageError
from chrono_sim.protocol.admission import Lease, rate_limited
from chrono_sim.protocol.catalog import Catalog
from chrono_sim.protocol.clock import Clock
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


@dataclass(frozen=True, slots=True)
class Close:
    """The session wants the connection closed with this code and reason.

    With `abort`, the connection is dropped instead, without a close frame (the
    peer sees 1006); `code` and `reason` are then only logged.
    """

    code: CloseCode
    reason: str
    abort: bool = False


class Session:
    """The protocol state of one admitted connection.

    `on_ready` and `on_conflate` go to the session's `Outbox`: frames wait to be
    written; price frames were discarded by conflation (how many).
    """

    def __init__(
        self,
        *,
        lease: Lease,
        hub: Hub,
        catalog: Catalog,
        clock: Clock,
        limits: ProtocolLimits,
        on_ready: Callable[[], None] = lambda: None,
        on_conflate: Callable[[int], None] = lambda discarded: None,
    ) -> None:
        self._lease = lease
        self._hub = hub
        self._catalog = catalog
        self._clock = clock
        self._limits = limits
        self.outbox = Outbox(
            reply_limit_bytes=limits.reply_backlog_bytes,
            price_limit=limits.price_backlog,
            on_ready=on_ready,
            on_conflate=on_conflate,
        )
        self._symbols: dict[str, None] = {}  # a dict keeps subscription order
        now = clock.monotonic()
        self._last_activity = now
        self._next_heartbeat = now + limits.heartbeat_interval
        self._closed = False

    @property
    def symbols(self) -> tuple[str, ...]:
        """The symbols held, in the order they were subscribed."""
        return tuple(self._symbols)

    @property
    def pending_prices(self) -> int:
        """Price frames published to this client and not yet taken for writing."""
        return self.outbox.pending_prices

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
        """Run what is due now: the idle timeout wins over a heartbeat."""
        now = self._clock.monotonic()
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
        """When `on_timer` next has something to do (a `Clock.monotonic()` reading)."""
        return min(self._last_activity + self._limits.idle_timeout, self._next_heartbeat)

    def watch_deadline(self, moved: Callable[[], None]) -> None:
        """Have `moved()` called whenever `next_deadline()` moves earlier.

        Outside `on_timer` the deadlines of this class only move later, so it
        never calls `moved`; a subclass whose deadlines can move earlier
        (`FaultySession`'s delayed updates) must.
        """

    # --- outputs --------------------------------------------------------------

    def take_frames(self) -> list[bytes]:
        """Every frame to write now, wire-ready and in order; a price delivered is activity."""
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
