"""Frames waiting to be written to one client, with a bounded footprint.

Replies (acknowledgements, errors, pongs, snapshots) keep their order. Price
frames queue in order too, so a client that keeps up sees every update; but
once more than `price_limit` are waiting, the queue is conflated to the latest
frame of each symbol. A lagging client thus gets current prices rather than a
growing backlog of stale ones, and sees the skipped updates as `seq` gaps.
Memory per client stays within `price_limit` price frames plus about
`reply_limit_bytes` of replies: the adapter stops reading requests while
replies are full. Replies are bounded in bytes, not in count, because a
client chooses their size (an echoed `id` may be nearly 1 MiB).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Batch:
    """What one flush writes: replies first, then price frames in arrival order."""

    frames: list[bytes]
    price_frames: int


class Outbox:
    """A per-connection queue; `on_ready` fires whenever something is put in it."""

    __slots__ = (
        "_on_ready", "_prices", "_replies", "_reply_bytes", "price_limit", "reply_limit_bytes",
    )  # fmt: skip

    def __init__(
        self, *, reply_limit_bytes: int, price_limit: int, on_ready: Callable[[], None]
    ) -> None:
        self.reply_limit_bytes = reply_limit_bytes
        self.price_limit = price_limit
        self._on_ready = on_ready
        self._replies: deque[bytes] = deque()
        self._reply_bytes = 0
        self._prices: deque[tuple[str, bytes]] = deque()

    @property
    def replies_full(self) -> bool:
        return self._reply_bytes >= self.reply_limit_bytes

    @property
    def pending_prices(self) -> int:
        """Price frames waiting; past `price_limit` they would be conflated."""
        return len(self._prices)

    def put_reply(self, frame: bytes) -> None:
        self._replies.append(frame)
        self._reply_bytes += len(frame)
        self._on_ready()

    def put_price(self, symbol: str, frame: bytes) -> None:
        self._prices.append((symbol, frame))
        if len(self._prices) > self.price_limit:
            self._conflate()
        self._on_ready()

    def discard_prices(self, symbols: Iterable[str]) -> None:
        """Drop pending price frames, e.g. of symbols just unsubscribed."""
        dropped = set(symbols)
        if dropped and self._prices:
            self._prices = deque(item for item in self._prices if item[0] not in dropped)

    def take(self) -> Batch:
        """Everything pending, emptying the outbox."""
        frames = list(self._replies)
        self._replies.clear()
        self._reply_bytes = 0
        prices = len(self._prices)
        frames.extend(frame for _, frame in self._prices)
        self._prices.clear()
        return Batch(frames, prices)

    def __len__(self) -> int:
        return len(self._replies) + len(self._prices)

    def _conflate(self) -> None:
        latest: dict[str, bytes] = {}
        for symbol, frame in self._prices:
            latest.pop(symbol, None)  # re-insert, so symbols stay in order of their latest update
            latest[symbol] = frame
        self._prices = deque(latest.items())
