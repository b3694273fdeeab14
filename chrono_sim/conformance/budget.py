"""Pacing: the checker's copy of the key's token bucket, and its share of connections."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable

from chrono_sim.protocol.ratelimit import TokenBucket


class RequestBudget:
    """Mirrors the server's bucket for the key, so no check is refused for rate.

    Every connection attempt, subscribe and unsubscribe takes its token here
    first, waiting for the refill when there is none. The mirror assumes the
    key's bucket is full when the check starts; when the server says otherwise
    (an unexpected RATE_LIMITED), `throttled` empties the mirror, so pacing
    follows the server from then on, and counts the event.
    """

    def __init__(
        self,
        per_minute: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.per_minute = per_minute
        self._clock = clock
        self._sleep = sleep
        self._bucket = TokenBucket.per_minute(per_minute, now=clock())
        self._lock = asyncio.Lock()
        self.throttled = 0

    async def take(self, tokens: int = 1) -> None:
        """Spend `tokens`, waiting for each one the mirror does not hold yet."""
        async with self._lock:  # first come, first served while the bucket refills
            for _ in range(tokens):
                while (wait := self._bucket.try_take(self._clock())) > 0:
                    await self._sleep(wait)

    def available(self) -> float:
        """The tokens the server should hold for the key now."""
        return self._bucket.available(self._clock())

    def drain(self) -> None:
        """The server's bucket is empty now (the rate check emptied it on purpose)."""
        self._bucket.drain(self._clock())

    async def throttled_for(self, retry_after_ms: int | None) -> None:
        """The server refused a paced request as over rate: follow it, then wait as told."""
        self.throttled += 1
        self.drain()
        await self._sleep((retry_after_ms or 1000) / 1000)


class ConnectionSlots:
    """At most `limit` connections of the key open at once across concurrent checks.

    A check takes every slot it will need before it starts, so two checks can
    never each hold half of what both need.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.in_use = 0
        self._changed = asyncio.Condition()

    @contextlib.asynccontextmanager
    async def hold(self, count: int) -> AsyncIterator[None]:
        count = min(count, self.limit)
        async with self._changed:
            await self._changed.wait_for(lambda: self.in_use + count <= self.limit)
            self.in_use += count
        try:
            yield
        finally:
            async with self._changed:
                self.in_use -= count
                self._changed.notify_all()
