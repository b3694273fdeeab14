"""`Quote`: one price as a source produces it, before the hub numbers and encodes it."""

from __future__ import annotations

import math
from dataclasses import dataclass


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
