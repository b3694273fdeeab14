"""Frames waiting to be written to one client, with a bounded footprint.

Replies (acknowledgements, errors, pongs, snapshots) keep their order. Price
frames are conflated per symbol: while a client is not reading, a newer update
replaces the pending one for the same symbol and the client later sees the
jump as a `seq` gap. So a client that stops reading costs at most one pending
price frame per subscribed symbol, plus at most `reply_limit` replies, which
the adapter enforces by not reading further requests while it is full.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Batch:
    """What one flush writes: replies first, then the latest price per symbol."""

    frames: list[bytes]
    price_frames: int


class Outbox:
    """A per-connection queue; `on_ready` fires when it goes from empty to non-empty."""

    __slots__ = ("_on_ready", "_prices", "_replies", "reply_limit")

    def __init__(self, *, reply_limit: int, on_ready: Callable[[], None]) -> None:
        self.reply_limit = reply_limit
        self._on_ready = on_ready
        self._replies: deque[bytes] = deque()
        self._prices: dict[str, bytes] = {}

    @property
    def replies_full(self) -> bool:
        return len(self._replies) >= self.reply_limit

    def put_reply(self, frame: bytes) -> None:
        self._replies.append(frame)
        self._on_ready()

    def put_price(self, symbol: str, frame: bytes) -> None:
        self._prices[symbol] = frame
        self._on_ready()

    def discard_prices(self, symbols: Iterable[str]) -> None:
        """Drop pending price frames, e.g. of symbols just unsubscribed."""
        for symbol in symbols:
            self._prices.pop(symbol, None)

    def take(self) -> Batch:
        """Everything pending, emptying the outbox."""
        frames = list(self._replies)
        self._replies.clear()
        prices = len(self._prices)
        frames.extend(self._prices.values())
        self._prices.clear()
        return Batch(frames, prices)

    def __len__(self) -> int:
        return len(self._replies) + len(self._prices)
