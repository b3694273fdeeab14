"""What `FeedClient.events()` yields: one small frozen type per thing that happens."""

from __future__ import annotations

from dataclasses import dataclass

from chrono_sim.messages import PriceUpdate


@dataclass(frozen=True, slots=True)
class Connected:
    url: str
    attempt: int  # 0 for the first connection, n after n failed attempts


@dataclass(frozen=True, slots=True)
class Subscribed:
    symbols: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Price:
    """A `price_update` as received: the decoded message and its exact text."""

    update: PriceUpdate
    raw: str
    received_at: float  # wall-clock seconds (Clock.time())
    missed: int  # updates of this symbol skipped just before this one (from seq)


@dataclass(frozen=True, slots=True)
class Heartbeat:
    received_at: float


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
