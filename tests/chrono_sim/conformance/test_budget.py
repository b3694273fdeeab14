"""The checker's pacing: its copy of the key's token bucket, and its share of connections."""

from __future__ import annotations

import asyncio

import pytest

from chrono_sim.conformance.budget import ConnectionSlots, RequestBudget


class FakeTime:
    """A clock that only moves when the budget sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
def fake() -> FakeTime:
    return FakeTime()


@pytest.fixture
def budget(fake: FakeTime) -> RequestBudget:
    return RequestBudget(120, clock=fake.clock, sleep=fake.sleep)


async def test_a_minute_of_requests_goes_out_at_once(budget: RequestBudget, fake: FakeTime) -> None:
    await budget.take(120)

    assert fake.slept == []


async def test_past_the_bucket_each_request_waits_for_its_token(
    budget: RequestBudget, fake: FakeTime
) -> None:
    await budget.take(122)

    assert fake.slept == pytest.approx([0.5, 0.5])


async def test_an_unexpected_refusal_empties_the_copy_and_waits_as_the_server_says(
    budget: RequestBudget, fake: FakeTime
) -> None:
    await budget.throttled_for(300)

    assert (budget.throttled, fake.slept) == (1, [0.3])
    assert budget.available() == pytest.approx(0.6)  # 0.3 s at 2 tokens a second


async def test_draining_makes_the_next_request_wait_a_whole_token(
    budget: RequestBudget, fake: FakeTime
) -> None:
    budget.drain()
    await budget.take()

    assert fake.slept == pytest.approx([0.5])


async def test_a_check_starts_only_once_all_its_connections_are_free() -> None:
    slots = ConnectionSlots(3)
    started = asyncio.Event()

    async def second_check() -> None:
        async with slots.hold(2):
            started.set()

    async with slots.hold(2):
        waiting = asyncio.create_task(second_check())
        await asyncio.sleep(0)  # one turn of the loop: it has tried and must be waiting
        assert not started.is_set()
    await waiting

    assert started.is_set()
    assert slots.in_use == 0


async def test_a_check_wanting_more_than_the_limit_gets_the_whole_limit() -> None:
    slots = ConnectionSlots(2)

    async with slots.hold(5):
        assert slots.in_use == 2
