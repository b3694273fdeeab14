"""The one interface every price source implements."""

from __future__ import annotations

from typing import Protocol

from chrono_sim.protocol.catalog import Catalog
from chrono_sim.protocol.quote import Quote

__all__ = ["CLIENT_PACED_BATCH", "PriceSource"]

# The most quotes a client-paced source returns from one `pop_due` call: the feed
# waits until every subscriber has room for this many more price frames.
CLIENT_PACED_BATCH = 64


class PriceSource(Protocol):
    """A schedule of quotes, read against the injectable clock.

    The caller asks `next_due()` when to come back (a `Clock.monotonic()`
    reading, or None once the source is exhausted), waits until then, and
    collects what is due with `pop_due(now)`. With a manual clock a test can
    run hours of a source in microseconds.

    A `client_paced` source has no schedule of its own: `next_due()` is
    always now, `pop_due` returns at most `CLIENT_PACED_BATCH` quotes, and
    the feed publishes only as fast as the slowest subscriber reads.

    A source that `waits_for_subscriber` starts its schedule the first
    time it is asked, and the server asks only once a client has subscribed,
    so that client sees it from the start (a replay does this).
    """

    @property
    def catalog(self) -> Catalog: ...

    @property
    def client_paced(self) -> bool: ...

    @property
    def waits_for_subscriber(self) -> bool: ...

    def next_due(self) -> float | None: ...

    def pop_due(self, now: float) -> list[Quote]: ...
