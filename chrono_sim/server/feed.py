"""Drives a `PriceSource` in real time and publishes what it yields to the hub."""

from __future__ import annotations

import asyncio

from chrono_sim.clock import Clock
from chrono_sim.hub import Hub
from chrono_sim.sources.base import PriceSource


async def pump(source: PriceSource, hub: Hub, clock: Clock) -> None:
    """Publish each quote when it falls due; return once the source is exhausted."""
    while (due := source.next_due()) is not None:
        delay = due - clock.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        for quote in source.pop_due(clock.monotonic()):
            hub.publish(quote)
