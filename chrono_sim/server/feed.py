"""Drives a `PriceSource` in real time and publishes what it yields to the hub.

`pump` is the loop; `Feed` runs it as a server's task, with the server's flow
control: a source that `waits_for_subscriber` (a replay) starts with the first
subscription, and a client-paced one (a replay at max speed) publishes only
while every subscriber has room for a batch, so its clients see every update.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from chrono_sim.protocol.clock import Clock
from chrono_sim.protocol.hub import Hub
from chrono_sim.sources.base import CLIENT_PACED_BATCH, PriceSource

log = logging.getLogger("chrono_sim.server")

Wait = Callable[[], Awaitable[object]]  # what it returns is not used (Event.wait's True)

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


class Feed:
    """A server's feed: `pump` as a task, waiting for subscribers and for their room.

    Call `drained()` whenever a subscription or a subscriber's pending prices
    may have changed (after each flush of a connection's outbox, and when a
    connection ends): the waits re-check then. `price_backlog` is the
    outbox's conflation threshold, which a client-paced batch must fit under.
    """

    def __init__(self, source: PriceSource, hub: Hub, clock: Clock, *, price_backlog: int) -> None:
        self.source = source
        self._hub = hub
        self._clock = clock
        self._room_limit = max(0, price_backlog - CLIENT_PACED_BATCH)
        self._drained = asyncio.Event()
        self.drained = self._drained.set
        self._task: asyncio.Task[None] | None = None

    def start(self, *, on_batch: Callable[[float], None] | None = None) -> None:
        """Start publishing (in a task); `on_batch` as for `pump`."""
        self._task = asyncio.create_task(self._run(on_batch), name="chrono-feed")

    def cancel(self) -> None:
        if self._task is not None:
            self._task.cancel()

    async def wait(self) -> None:
        """Until the task has ended (exhausted, failed or cancelled)."""
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)

    async def _run(self, on_batch: Callable[[float], None] | None) -> None:
        try:
            await pump(
                self.source,
                self._hub,
                self._clock,
                wait_for_subscriber=self._wait_for_subscriber,
                wait_for_room=self._wait_for_room,
                on_batch=on_batch,
            )
            log.info(
                "price source exhausted; connections stay open", extra={"event": "feed.exhausted"}
            )
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception(
                "price source failed; no more prices will be published",
                extra={"event": "feed.failed"},
            )

    async def _wait_for_subscriber(self) -> None:
        # A subscription is acknowledged with a reply, whose flush sets the event.
        while not self._hub.has_subscribers:
            self._drained.clear()
            await self._drained.wait()

    async def _wait_for_room(self) -> None:
        # Room for a whole batch below the outbox's conflation threshold.
        while not self._hub.has_room(self._room_limit):
            self._drained.clear()
            await self._drained.wait()
