"""The request-rate rule: a token bucket holding a minute's tokens, refilled continuously."""

from __future__ import annotations

import pytest

from chrono_sim.protocol.ratelimit import KeyedRateLimiter, TokenBucket


def _take_all(bucket: TokenBucket, now: float) -> int:
    """Spend every token available at `now`; return how many there were."""
    taken = 0
    while bucket.try_take(now) == 0.0:
        taken += 1
    return taken


def test_bucket_starts_full() -> None:
    bucket = TokenBucket.per_minute(120, now=0.0)

    assert all(bucket.try_take(0.0) == 0.0 for _ in range(120))


def test_request_over_the_limit_is_refused_with_the_wait_for_the_next_token() -> None:
    bucket = TokenBucket.per_minute(120, now=0.0)
    _take_all(bucket, 0.0)

    assert bucket.try_take(0.0) == pytest.approx(0.5)


def test_refused_request_spends_nothing() -> None:
    bucket = TokenBucket.per_minute(120, now=0.0)
    _take_all(bucket, 0.0)
    for _ in range(10):
        bucket.try_take(0.1)

    assert bucket.try_take(0.5) == 0.0


def test_wait_shrinks_as_the_bucket_refills() -> None:
    bucket = TokenBucket.per_minute(120, now=0.0)
    _take_all(bucket, 0.0)

    assert bucket.try_take(0.2) == pytest.approx(0.3)


def test_bucket_refills_one_token_per_interval() -> None:
    bucket = TokenBucket.per_minute(120, now=0.0)
    _take_all(bucket, 0.0)

    assert _take_all(bucket, 0.5) == 1


def test_bucket_refills_continuously_not_once_a_minute() -> None:
    bucket = TokenBucket.per_minute(120, now=0.0)
    _take_all(bucket, 0.0)

    assert _take_all(bucket, 30.0) == 60


def test_bucket_never_holds_more_than_its_capacity() -> None:
    bucket = TokenBucket.per_minute(120, now=0.0)
    _take_all(bucket, 0.0)

    assert _take_all(bucket, 1_000_000.0) == 120


def test_unused_bucket_stays_at_capacity() -> None:
    bucket = TokenBucket.per_minute(120, now=0.0)

    assert _take_all(bucket, 3600.0) == 120


def test_clock_going_backwards_adds_no_tokens() -> None:
    bucket = TokenBucket.per_minute(120, now=100.0)
    _take_all(bucket, 100.0)

    assert bucket.try_take(40.0) > 0.0


def test_bucket_is_full_only_once_it_has_refilled_completely() -> None:
    bucket = TokenBucket.per_minute(60, now=0.0)
    bucket.try_take(0.0)

    assert not bucket.is_full(0.5)
    assert bucket.is_full(1.0)


@pytest.mark.parametrize(("capacity", "refill"), [(0.0, 1.0), (-1.0, 1.0), (1.0, 0.0), (1.0, -2.0)])
def test_bucket_needs_positive_capacity_and_rate(capacity: float, refill: float) -> None:
    with pytest.raises(ValueError, match="positive"):
        TokenBucket(capacity=capacity, refill_per_second=refill, now=0.0)


def test_keyed_limiter_keeps_a_separate_bucket_per_key() -> None:
    limiter = KeyedRateLimiter(per_minute=3)
    for _ in range(3):
        limiter.try_take("a", 0.0)

    assert limiter.try_take("a", 0.0) > 0.0
    assert limiter.try_take("b", 0.0) == 0.0


def test_keyed_limiter_gives_each_new_key_a_full_bucket() -> None:
    limiter = KeyedRateLimiter(per_minute=120)

    assert all(limiter.try_take("a", 0.0) == 0.0 for _ in range(120))
    assert limiter.try_take("a", 0.0) == pytest.approx(0.5)


def test_keyed_limiter_forgets_full_buckets_when_the_table_is_full() -> None:
    limiter = KeyedRateLimiter(per_minute=60, max_tracked=2)
    limiter.try_take("a", 0.0)
    limiter.try_take("b", 0.0)

    limiter.try_take("c", 60.0)

    assert len(limiter) == 1


def test_keyed_limiter_keeps_buckets_that_are_not_full() -> None:
    limiter = KeyedRateLimiter(per_minute=60, max_tracked=2)
    limiter.try_take("a", 0.0)
    limiter.try_take("b", 0.0)

    limiter.try_take("c", 0.5)

    assert len(limiter) == 3


def test_keyed_limiter_does_not_forget_before_the_table_is_full() -> None:
    limiter = KeyedRateLimiter(per_minute=60, max_tracked=3)
    limiter.try_take("a", 0.0)
    limiter.try_take("b", 0.0)

    limiter.try_take("c", 60.0)

    assert len(limiter) == 3


def test_forgetting_a_bucket_does_not_forgive_a_limited_key() -> None:
    limiter = KeyedRateLimiter(per_minute=2, max_tracked=1)
    limiter.try_take("a", 0.0)
    limiter.try_take("a", 0.0)

    limiter.try_take("b", 1.0)

    assert limiter.try_take("a", 1.0) > 0.0


def test_available_counts_the_refill_since_the_last_take() -> None:
    bucket = TokenBucket.per_minute(120, now=0.0)
    _take_all(bucket, 0.0)

    assert bucket.available(0.25) == pytest.approx(0.5)


def test_drain_empties_the_bucket_which_then_refills_at_its_rate() -> None:
    bucket = TokenBucket.per_minute(120, now=0.0)
    bucket.drain(0.0)

    assert bucket.try_take(0.0) == pytest.approx(0.5)
    assert bucket.try_take(0.5) == 0.0
