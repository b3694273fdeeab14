"""How long to wait before the next connection attempt."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class ReconnectPolicy:
    """Exponential backoff with jitter, capped.

    Attempt n (from 1) waits `initial * multiplier**(n-1)`, capped at `maximum`,
    then spread by ±`jitter` (a fraction) so that many clients dropped at
    once do not come back in lockstep.
    """

    initial: float = 0.5
    multiplier: float = 2.0
    maximum: float = 30.0
    jitter: float = 0.2

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        base = min(self.maximum, self.initial * self.multiplier ** max(0, attempt - 1))
        spread = (rng or random).uniform(-self.jitter, self.jitter)
        return max(0.0, base * (1.0 + spread))
