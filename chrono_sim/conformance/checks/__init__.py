"""Every check, in the order of the report: handshake, errors, subscribe, feed, limits."""

from __future__ import annotations

from chrono_sim.conformance.check import Check
from chrono_sim.conformance.checks import (
    auth,
    errors,
    feed,
    limits,
    rate,
    subscribe,
    timestamps,
    unsubscribe,
)

ALL_CHECKS: tuple[Check, ...] = (
    *auth.CHECKS,
    *errors.CHECKS,
    *subscribe.CHECKS,
    *unsubscribe.CHECKS,
    *feed.CHECKS,
    *limits.CHECKS,
    *rate.CHECKS,
    *timestamps.CHECKS,
)

__all__ = ["ALL_CHECKS"]
