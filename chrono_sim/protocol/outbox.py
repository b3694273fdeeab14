"""Frames waiting to be written to one client, with a bounded footprint.

Frames are wire-ready (see `chrono_sim.protocol.wire`): the adapter writes what
`take` returns as it is, in one write.

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

from collections.abc import Callable, Iterable
from dataclasses import dataclass


def _ignore(discarded: int) -> None:
    pass


@dataclass(frozen=True, slots=True)
class Batch:
    """What one flush writes: replies first, then price frames in arrival order."""

    frames: list[bytes]
    price_frames: int


class Outbox:
    """A per-connection queue; `on_ready` fires when a frame arrives in an empty outbox.

    Firing once per emptying, not per frame, keeps the fan-out path to an
    append: the adapter schedules one write for the connection and takes
    everything queued by then. `on_conflate(discarded)` hears of each conflation
    and how many price frames it discarded (the server counts them).
    """

    __slots__ = (
        "_on_ready", "_price_frames", "_price_symbols", "_replies", "_reply_bytes",
        "on_conflate", "price_limit", "reply_limit_bytes",
    )  # fmt: skip

    def __init__(
        self,
        *,
        reply_limit_bytes: int,
        price_limit: int,
        on_ready: Callable[[], None],
        on_conflate: Callable[[int], None] = _ignore,
    ) -> None:
        self.reply_limit_bytes = reply_limit_bytes
        self.price_limit = price_limit
        self._on_ready = on_ready
        self.on_conflate = on_conflate
        # Plain lists, emptied by swapping: an idle connection holds three empty
        # lists (a deque would hold a 64-slot block each), and a flush copies nothing.
        self._replies: list[bytes] = []
        self._reply_bytes = 0
        self._price_frames: list[bytes] = []
        self._price_symbols: list[str] = []  # the symbol of each price frame

    @property
    def replies_full(self) -> bool:
        return self._reply_bytes >= self.reply_limit_bytes

    @property
    def pending_prices(self) -> int:
        """Price frames waiting; past `price_limit` they would be conflated."""
        return len(self._price_frames)

    def put_reply(self, frame: bytes) -> None:
        self._replies.append(frame)
        self._reply_bytes += len(frame)
        if len(self._replies) == 1 and not self._price_frames:
            self._on_ready()

    def put_price(self, symbol: str, frame: bytes) -> None:
        # The hot path of the fan-out: one call per subscriber per update.
        frames = self._price_frames
        frames.append(frame)
        self._price_symbols.append(symbol)
        size = len(frames)
        if size == 1:
            if not self._replies:
                self._on_ready()
        elif size > self.price_limit:
            self._conflate()

    def discard_prices(self, symbols: Iterable[str]) -> None:
        """Drop pending price frames, e.g. of symbols just unsubscribed."""
        dropped = set(symbols)
        if dropped and self._price_frames:
            kept = [
                (symbol, frame)
                for symbol, frame in zip(self._price_symbols, self._price_frames, strict=True)
                if symbol not in dropped
            ]
            self._price_symbols = [symbol for symbol, _ in kept]
            self._price_frames = [frame for _, frame in kept]

    def take(self) -> Batch:
        """Everything pending, emptying the outbox."""
        frames, prices = self._replies, self._price_frames
        self._replies, self._reply_bytes = [], 0
        self._price_frames, self._price_symbols = [], []
        if frames:
            frames.extend(prices)
        else:
            frames = prices
        return Batch(frames, len(prices))

    def announce(self) -> None:
        """Call `on_ready` again if frames wait: for a writer that took none when told before."""
        if len(self):
            self._on_ready()

    def __len__(self) -> int:
        return len(self._replies) + len(self._price_frames)

    def _conflate(self) -> None:
        latest: dict[str, bytes] = {}
        for symbol, frame in zip(self._price_symbols, self._price_frames, strict=True):
            latest.pop(symbol, None)  # re-insert, so symbols stay in order of their latest update
            latest[symbol] = frame
        discarded = len(self._price_frames) - len(latest)
        self._price_symbols = list(latest)
        self._price_frames = list(latest.values())
        self.on_conflate(discarded)
