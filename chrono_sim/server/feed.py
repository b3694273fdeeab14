"""Drives a `PriceSource` in real time and publishes what it yields to the hub."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from chrono_sim.protocol.clock import Clock
from chrono_sim.protocol.hub import Hub
from chrono_sim.sources.base import PriceSource

Wait = Callable[[], Awaitable[None]]

# Quotes published per event-loop turn at most. Each turn ends with one write
# per connection, so this bounds what a turn queues for a client (within the
# outbox's conflation threshold) and keeps an overloaded server writing at its
# capacity: without it, a feed running behind publishes ever larger batches,
# conflates most of them away and delivers a fraction of what it could.
PUBLISH_BATCH = 200


async def pump(
    source: PriceSource,
    hub: Hub,
    clock: Clock,
    *,
    wait_for_subscriber: Wait | None = None,
    wait_for_room: Wait | None = None,
    on_batch: Callable[[float], None] | None = None,
) -> None:
    """Publish each quote when it falls due; return once the source is exhausted.

    The waits are the server's flow control, each used only when given:
    `wait_for_subscriber` is awaited once, before the source is first asked,
    if the source `waits_for_subscriber`; `wait_for_room` before each batch
    of a `client_paced` source, and should return once every subscriber can
    take `CLIENT_PACED_BATCH` more price frames without conflation.
    `on_batch(started)` follows each batch published, with the `time.perf_counter()`
    reading taken before its first update (the start of its fan-out latency).
    """
    if wait_for_subscriber is not None and source.waits_for_subscriber:
        await wait_for_subscriber()
    room = wait_for_room if source.client_paced else None
    while (due := source.next_due()) is not None:
        if room is not None:
            await room()
        # Sleep even when nothing needs waiting for: a source that is due again at
        # once (client-paced, or running behind) must not starve the connections.
        await asyncio.sleep(max(0.0, due - clock.monotonic()))
        quotes = source.pop_due(clock.monotonic())
        for start in range(0, len(quotes), PUBLISH_BATCH):
            if start:
                await asyncio.sleep(0)  # let this batch be written before the next
            started = time.perf_counter()
            for quote in quotes[start : start + PUBLISH_BATCH]:
                hub.publish(quote)
            if on_batch is not None:
                on_batch(started)
