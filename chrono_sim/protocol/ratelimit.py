"""A token bucket: the request-rate rule of decisions.md, with time passed in."""

from __future__ import annotations


class TokenBucket:
    """Holds up to `capacity` tokens and refills continuously at `refill_per_second`.

    A key's bucket starts full, so a fresh key may spend a whole minute's
    allowance at once, then one token per `1 / refill_per_second` seconds.
    """

    __slots__ = ("_capacity", "_rate", "_tokens", "_updated")

    def __init__(self, *, capacity: float, refill_per_second: float, now: float) -> None:
        if capacity <= 0 or refill_per_second <= 0:
            raise ValueError("a token bucket needs a positive capacity and refill rate")
        self._capacity = capacity
        self._rate = refill_per_second
        self._tokens = capacity
        self._updated = now

    @classmethod
    def per_minute(cls, limit: int, *, now: float) -> TokenBucket:
        """A bucket holding a full minute of `limit` requests per minute."""
        return cls(capacity=limit, refill_per_second=limit / 60.0, now=now)

    def try_take(self, now: float) -> float:
        """Spend one token if there is one.

        Returns 0.0 when the token was spent, otherwise the seconds to wait
        until one will be there (nothing is spent then).
        """
        self._refill(now)
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return 0.0
        return (1.0 - self._tokens) / self._rate

    def available(self, now: float) -> float:
        """The tokens in the bucket now (a fraction counts towards the next one)."""
        self._refill(now)
        return self._tokens

    def drain(self, now: float) -> None:
        """Empty the bucket now, e.g. to follow a server that says it is empty."""
        self._refill(now)
        self._tokens = 0.0

    def is_full(self, now: float) -> bool:
        """True when the bucket has refilled completely (its state can be forgotten)."""
        self._refill(now)
        return self._tokens >= self._capacity

    def _refill(self, now: float) -> None:
        elapsed = now - self._updated
        if elapsed > 0:
            self._tokens = min(self._capacity, self._tokens + elapsed * self._rate)
            self._updated = now


class KeyedRateLimiter:
    """One `TokenBucket` per key (e.g. per client address), forgetting idle ones.

    Buckets that have refilled completely hold no information, so they are
    dropped whenever the table reaches `max_tracked`: memory stays bounded by
    the number of keys active within one refill period.
    """

    def __init__(self, *, per_minute: int, max_tracked: int = 10_000) -> None:
        self._per_minute = per_minute
        self._max_tracked = max_tracked
        self._buckets: dict[str, TokenBucket] = {}

    def try_take(self, key: str, now: float) -> float:
        """As `TokenBucket.try_take`, for the bucket of `key`."""
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= self._max_tracked:
                self._forget_full(now)
            bucket = self._buckets[key] = TokenBucket.per_minute(self._per_minute, now=now)
        return bucket.try_take(now)

    def __len__(self) -> int:
        return len(self._buckets)

    def _forget_full(self, now: float) -> None:
        for key in [key for key, bucket in self._buckets.items() if bucket.is_full(now)]:
            del self._buckets[key]
