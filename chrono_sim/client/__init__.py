"""A resilient client of the `/stream` protocol, shared by `tail`, `record` and `check`.

`FeedClient` connects with either auth form, subscribes, yields typed events,
reconnects with capped, jittered exponential backoff, resubscribes, and counts
the updates it missed from `seq` (and those repeated or out of order).

The names below load on first use (PEP 562): importing a pure module of this
package (`gaps`, `ledger`, `events`) does not import the WebSocket client.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chrono_sim.lazy import lazy_exports

if TYPE_CHECKING:
    from chrono_sim.client.backoff import ReconnectPolicy
    from chrono_sim.client.events import (
        Connected,
        Disconnected,
        FeedEvent,
        Heartbeat,
        Price,
        Retrying,
        Subscribed,
    )
    from chrono_sim.client.feed import AuthMode, FeedClient
    from chrono_sim.client.gaps import SeqKind, SeqTracker

_HOMES = {
    "AuthMode": ".feed",
    "Connected": ".events",
    "Disconnected": ".events",
    "FeedClient": ".feed",
    "FeedEvent": ".events",
    "Heartbeat": ".events",
    "Price": ".events",
    "ReconnectPolicy": ".backoff",
    "Retrying": ".events",
    "SeqKind": ".gaps",
    "SeqTracker": ".gaps",
    "Subscribed": ".events",
}

__all__ = [
    "AuthMode",
    "Connected",
    "Disconnected",
    "FeedClient",
    "FeedEvent",
    "Heartbeat",
    "Price",
    "ReconnectPolicy",
    "Retrying",
    "SeqKind",
    "SeqTracker",
    "Subscribed",
]

if not TYPE_CHECKING:  # to mypy, only the names imported above exist
    __getattr__, __dir__ = lazy_exports(__name__, _HOMES)
