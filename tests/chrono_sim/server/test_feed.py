"""The feed pump: a client-paced source goes only as fast as its subscribers drain."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Callable

from chrono_sim.protocol.catalog import DEFAULT_CATALOG
from chrono_sim.protocol.clock import ManualClock
from chrono_sim.protocol.hub import Hub
from chrono_sim.protocol.limits import ProtocolLimits
from chrono_sim.protocol.messages import PriceUpdate
from chrono_sim.server.feed import pump
from chrono_sim.sources import CLIENT_PACED_BATCH, ReplaySource, ScriptedSource
from tests.support.sessions import Client, decode_frames, quote
from tests.support.tapes import evenly


class Counter:
    """A `wait_for_room` that always finds room, counting how often it was asked."""

    def __init__(self) -> None:
        self.calls = 0

    async def __call__(self) -> None:
        self.calls += 1


async def test_a_client_paced_source_waits_for_room_before_each_batch(
    hub: Hub, clock: ManualClock
) -> None:
    source = ReplaySource(evenly(200, 1000), clock=clock, speed=None)
    room = Counter()

    await pump(source, hub, clock, wait_for_room=room)

    assert room.calls == 4  # 64 + 64 + 64 + 8
    assert hub.published == 200


async def test_without_room_a_client_paced_source_publishes_nothing(
    hub: Hub, clock: ManualClock
) -> None:
    source = ReplaySource(evenly(200, 1000), clock=clock, speed=None)
    room = asyncio.Event()
    feed = asyncio.create_task(pump(source, hub, clock, wait_for_room=room.wait))
    for _ in range(10):
        await asyncio.sleep(0)
    assert hub.published == 0

    room.set()
    await asyncio.wait_for(feed, timeout=5)

    assert hub.published == 200


async def test_a_scheduled_source_never_waits_for_room(hub: Hub, clock: ManualClock) -> None:
    script = [(clock.monotonic(), quote()), (clock.monotonic(), quote(price=2.0))]
    room = Counter()

    await pump(ScriptedSource(DEFAULT_CATALOG, script), hub, clock, wait_for_room=room)

    assert room.calls == 0
    assert hub.published == 2


async def test_the_pump_yields_to_the_event_loop_between_batches(
    hub: Hub, clock: ManualClock
) -> None:
    source = ReplaySource(evenly(10 * CLIENT_PACED_BATCH, 1000), clock=clock, speed=None)
    published_at_each_tick: list[int] = []

    async def watch() -> None:
        while True:
            published_at_each_tick.append(hub.published)
            await asyncio.sleep(0)

    watcher = asyncio.create_task(watch())
    await pump(source, hub, clock, wait_for_room=Counter())
    watcher.cancel()

    assert len(set(published_at_each_tick)) >= 9


async def test_a_max_speed_replay_reaches_a_slow_reader_whole_and_in_order(
    hub: Hub, clock: ManualClock, connect: Callable[..., Client]
) -> None:
    """The rule the server applies: wait until every subscriber has room for one batch."""
    limits = ProtocolLimits()
    client = connect()
    client.request(type="subscribe", symbols=["BTC/USD", "ETH/USD", "SOL/USD"])
    received: list[bytes] = []
    most_pending = 0

    async def wait_for_room() -> None:
        nonlocal most_pending
        most_pending = max(most_pending, client.session.pending_prices)
        while not hub.has_room(limits.price_backlog - CLIENT_PACED_BATCH):
            received.extend(client.session.take_frames())  # the client reads, at last
            await asyncio.sleep(0)

    source = ReplaySource(
        evenly(3000, 10, ["BTC/USD", "ETH/USD", "SOL/USD"]), clock=clock, speed=None
    )
    await pump(source, hub, clock, wait_for_room=wait_for_room)
    received.extend(client.session.take_frames())

    assert most_pending <= limits.price_backlog
    seqs: dict[str, list[int]] = defaultdict(list)
    for update in decode_frames(received):
        assert isinstance(update, PriceUpdate)
        assert isinstance(update.seq, int)
        seqs[update.symbol].append(update.seq)
    assert {symbol: len(numbers) for symbol, numbers in seqs.items()} == dict.fromkeys(
        ["BTC/USD", "ETH/USD", "SOL/USD"], 1000
    )
    assert all(numbers == list(range(1, 1001)) for numbers in seqs.values())


async def test_the_pump_returns_once_the_source_is_exhausted(hub: Hub, clock: ManualClock) -> None:
    source = ReplaySource(evenly(3, 1000), clock=clock, speed=None)

    await asyncio.wait_for(pump(source, hub, clock), timeout=5)

    assert source.next_due() is None
    assert hub.published == 3


async def test_a_replay_is_first_asked_once_someone_subscribes(
    hub: Hub, clock: ManualClock
) -> None:
    """So its schedule starts then, and the first subscriber sees it from the beginning."""
    source = ReplaySource(evenly(3, 1000), clock=clock, speed=1.0)
    subscribed = asyncio.Event()
    feed = asyncio.create_task(pump(source, hub, clock, wait_for_subscriber=subscribed.wait))
    await asyncio.sleep(0)
    clock.advance(60.0)
    subscribed.set()
    await asyncio.sleep(0)

    assert source.next_due() == clock.monotonic()
    feed.cancel()


async def test_a_source_that_does_not_wait_for_subscribers_starts_at_once(
    hub: Hub, clock: ManualClock
) -> None:
    never = asyncio.Event()

    await asyncio.wait_for(
        pump(
            ScriptedSource(DEFAULT_CATALOG, [(0.0, quote())]),
            hub,
            clock,
            wait_for_subscriber=never.wait,
        ),
        timeout=5,
    )

    assert hub.published == 1
