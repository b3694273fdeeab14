"""What `FeedClient.events()` yields: one small frozen type per thing that happens."""

from __future__ import annotations

from dataclasses import dataclass

from chrono_sim.client.gaps import SeqKind
from chrono_sim.protocol.messages import PriceUpdate


@dataclass(frozen=True, slots=True)
class Connected:
    url: str
    attempt: int  # 0 for the first connection, n after n failed attempts


@dataclass(frozen=True, slots=True)
class Subscribed:
    symbols: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Price:
    """A `price_update` as received: the decoded message, its exact text, and its `seq`'s story.

    `missed` is the change this update makes to its symbol's missed count, so that
    summing it stays honest: the n updates skipped just before it (a gap), -1 when
    it arrives out of order and fills a gap counted earlier, else 0.
    """

    update: PriceUpdate
    raw: str
    received_at: float  # wall-clock seconds (Clock.time())
    missed: int
    seq_kind: SeqKind = SeqKind.IN_ORDER
    across_reconnect: bool = False  # the gap (if any) was published while reconnecting


@dataclass(frozen=True, slots=True)
class Heartbeat:
    received_at: float
    timestamp: str = ""  # the pong's own, as sent: a heartbeat can arrive late too


@dataclass(frozen=True, slots=True)
class Disconnected:
    code: int | None
    reason: str


@dataclass(frozen=True, slots=True)
class Retrying:
    """The client will try again after `delay` seconds (attempt number `attempt`)."""

    attempt: int
    delay: float
    reason: str
    at: float  # Clock.monotonic() when the next attempt starts


FeedEvent = Connected | Subscribed | Price | Heartbeat | Disconnected | Retrying
