"""A resilient client of the `/stream` protocol, shared by `tail`, `record` and `check`.

`FeedClient` connects with either auth form, subscribes, yields typed events,
reconnects with capped, jittered exponential backoff, resubscribes, and counts
the updates it missed from `seq` (and those repeated or out of order).
"""

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
