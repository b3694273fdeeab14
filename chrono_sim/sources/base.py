"""The one interface every price source implements."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

from chrono_sim.catalog import Catalog


@dataclass(frozen=True, slots=True)
class Quote:
    """A price as a source produces it. The hub adds `seq` when it publishes it.

    `time` is Unix epoch seconds; `exchange` becomes the message's `source`.
    """

    symbol: str
    price: float
    volume: float | None
    exchange: str
    time: float

    def __post_init__(self) -> None:
        if not (math.isfinite(self.price) and self.price > 0):
            raise ValueError(
                f"{self.symbol}: a price must be finite and positive, not {self.price}"
            )
        if self.volume is not None and not (math.isfinite(self.volume) and self.volume >= 0):
            raise ValueError(f"{self.symbol}: volume must be finite and >= 0, not {self.volume}")


class PriceSource(Protocol):
    """A schedule of quotes, read against the injectable clock.

    The caller asks `next_due()` when to come back (a `Clock.monotonic()`
    reading, or None once the source is exhausted), waits until then, and
    collects what is due with `pop_due(now)`. With a manual clock a test can
    run hours of a source in microseconds.
    """

    @property
    def catalog(self) -> Catalog: ...

    def next_due(self) -> float | None: ...

    def pop_due(self, now: float) -> list[Quote]: ...
