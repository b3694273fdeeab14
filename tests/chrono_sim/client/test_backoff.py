"""Reconnect delays: exponential, capped, jittered."""

from __future__ import annotations

import random

from chrono_sim.client import ReconnectPolicy


def test_delays_double_from_the_initial_delay_without_jitter() -> None:
    policy = ReconnectPolicy(initial=0.5, multiplier=2.0, maximum=30.0, jitter=0.0)
    assert [policy.delay(attempt) for attempt in range(1, 6)] == [0.5, 1.0, 2.0, 4.0, 8.0]


def test_delays_are_capped() -> None:
    policy = ReconnectPolicy(initial=1.0, maximum=5.0, jitter=0.0)
    assert policy.delay(50) == 5.0


def test_jitter_spreads_delays_within_its_fraction() -> None:
    policy = ReconnectPolicy(initial=1.0, jitter=0.2)
    rng = random.Random(7)
    delays = [policy.delay(1, rng) for _ in range(500)]
    assert min(delays) >= 0.8
    assert max(delays) <= 1.2
    assert len({round(delay, 6) for delay in delays}) > 100
