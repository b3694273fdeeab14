"""Fan-out: number each update, encode and frame it once, give every subscriber those bytes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

import msgspec

from chrono_sim.protocol.messages import PriceUpdate, encode
from chrono_sim.protocol.quote import Quote
from chrono_sim.protocol.timestamps import format_timestamp
from chrono_sim.protocol.wire import text_frame


class Subscriber(Protocol):
    """Anything that can take a wire-ready price frame (in practice: a session)."""

    def deliver(self, symbol: str, frame: bytes) -> None: ...

    @property
    def pending_prices(self) -> int:
        """Price frames delivered and not yet written out (for flow control)."""
        ...


class Hub:
    """Per-symbol subscriber sets, `seq` counters and the latest update of each symbol."""

    def __init__(self) -> None:
        self._subscribers: dict[str, set[Subscriber]] = {}
        self._members: dict[Subscriber, int] = {}  # each subscriber's number of symbols
        self._seq: dict[str, int] = {}
        self._latest: dict[str, PriceUpdate] = {}
        self._snapshots: dict[str, bytes] = {}
        self.published = 0

    def publish(self, quote: Quote) -> bytes:
        """Number `quote`, frame it once and deliver that frame to each subscriber.

        Returns the encoded update (the frame's JSON payload).
        """
        seq = self._seq.get(quote.symbol, 0) + 1
        self._seq[quote.symbol] = seq
        update = PriceUpdate(
            symbol=quote.symbol,
            price=quote.price,
            volume=quote.volume,
            timestamp=format_timestamp(quote.time),
            source=quote.exchange,
            seq=seq,
        )
        payload = encode(update)
        frame = text_frame(payload)
        self._latest[quote.symbol] = update
        self._snapshots.pop(quote.symbol, None)
        self.published += 1
        for subscriber in self._subscribers.get(quote.symbol, ()):
            subscriber.deliver(quote.symbol, frame)
        return payload

    def latest(self, symbol: str) -> PriceUpdate | None:
        """The last update published for `symbol`, if any."""
        return self._latest.get(symbol)

    def snapshot(self, symbol: str) -> bytes | None:
        """The latest update of `symbol` marked `"snapshot": true` as a frame; None before any."""
        frame = self._snapshots.get(symbol)
        if frame is None:
            latest = self._latest.get(symbol)
            if latest is None:
                return None
            snapshot = msgspec.structs.replace(latest, snapshot=True)
            frame = self._snapshots[symbol] = text_frame(encode(snapshot))
        return frame

    @property
    def has_subscribers(self) -> bool:
        """True while at least one subscriber holds at least one symbol."""
        return bool(self._members)

    def has_room(self, limit: int) -> bool:
        """True when someone subscribes and no subscriber has more than `limit` prices pending.

        A client-paced feed publishes only while this holds: it then goes as
        fast as the slowest subscriber reads, and with nobody subscribed it
        waits, so the first subscriber gets the source from its beginning.
        """
        return self.has_subscribers and all(
            member.pending_prices <= limit for member in self._members
        )

    def subscribe(self, subscriber: Subscriber, symbols: Iterable[str]) -> None:
        for symbol in symbols:
            holders = self._subscribers.setdefault(symbol, set())
            if subscriber not in holders:
                holders.add(subscriber)
                self._members[subscriber] = self._members.get(subscriber, 0) + 1

    def unsubscribe(self, subscriber: Subscriber, symbols: Iterable[str]) -> None:
        for symbol in symbols:
            holders = self._subscribers.get(symbol)
            if holders is not None and subscriber in holders:
                holders.remove(subscriber)
                if not holders:
                    del self._subscribers[symbol]
                if (held := self._members[subscriber] - 1) > 0:
                    self._members[subscriber] = held
                else:
                    del self._members[subscriber]

    def subscriber_count(self, symbol: str) -> int:
        return len(self._subscribers.get(symbol, ()))
