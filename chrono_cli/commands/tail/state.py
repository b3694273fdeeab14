"""What `chrono tail` knows about the feed: pure state, updated from client events.

Times are `Clock.monotonic()` readings passed in by the caller, so the state
and everything rendered from it can be tested without a clock or a terminal.
"""

from __future__ import annotations

import dataclasses
import math
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Literal

from chrono_sim.client import (
    Connected,
    Disconnected,
    FeedEvent,
    Heartbeat,
    Price,
    Retrying,
    Subscribed,
)
from chrono_sim.client.ledger import FaultLedger

SPARK_POINTS = 30
RATE_WINDOW = 5.0  # seconds over which messages per second are counted
DEFAULT_HEARTBEAT = 30.0  # the protocol's interval, until two heartbeats show the real one
# A symbol is stale when its last update is this many typical gaps old (and at least
# STALE_FLOOR seconds, so a fast feed's jitter does not flicker it). The typical gap is
# the mean of the last GAP_WINDOW; while few are known, the mean is uncertain and the
# threshold wider, by (1 + STALE_DOUBT / sqrt(gaps)). Updates come at random times
# (Poisson), so the threshold is wide: at the default 4 s interval it settles at 30 s,
# a gap that long comes once in some 1,800; a shorter one would flag live symbols often.
STALE_GAPS = 6.0
STALE_DOUBT = 2.0
STALE_FLOOR = 5.0
GAP_WINDOW = 64
HEARTBEAT_GRACE = 1.5  # heartbeat overdue past this many intervals

LinkState = Literal["connecting", "connected", "reconnecting", "stopped"]


@dataclass
class SymbolRow:
    """One row of the table."""

    symbol: str
    first_price: float | None = None
    last_price: float | None = None
    volume: float | None = None
    source: str | None = None
    last_update_at: float | None = None
    gaps: deque[float] = field(default_factory=lambda: deque(maxlen=GAP_WINDOW))
    updates: int = 0
    missed: int = 0
    recent: deque[float] = field(default_factory=lambda: deque(maxlen=SPARK_POINTS))

    @property
    def change(self) -> float | None:
        if self.first_price is None or self.last_price is None:
            return None
        return self.last_price - self.first_price

    @property
    def change_percent(self) -> float | None:
        change = self.change
        if change is None or not self.first_price:
            return None
        return 100.0 * change / self.first_price

    def age(self, now: float) -> float | None:
        return None if self.last_update_at is None else now - self.last_update_at

    @property
    def mean_gap(self) -> float | None:
        """The typical time between two updates: the mean of the recent gaps."""
        return sum(self.gaps) / len(self.gaps) if self.gaps else None

    @property
    def stale_after(self) -> float | None:
        """The age past which this symbol is stale; None before its second update."""
        mean = self.mean_gap
        if mean is None:
            return None
        doubt = 1.0 + STALE_DOUBT / math.sqrt(len(self.gaps))
        return max(STALE_FLOOR, STALE_GAPS * doubt * mean)

    def is_stale(self, now: float) -> bool:
        """No update for much longer than this symbol's typical gap."""
        age, limit = self.age(now), self.stale_after
        return age is not None and limit is not None and age > limit


@dataclass
class LinkStatus:
    state: LinkState = "connecting"
    attempt: int = 0
    next_try_at: float | None = None
    reason: str = ""
    last_heartbeat_at: float | None = None
    heartbeat_interval: float = DEFAULT_HEARTBEAT
    heartbeat_learned: bool = False
    connected_since: float | None = None

    def heartbeat_age(self, now: float) -> float | None:
        return None if self.last_heartbeat_at is None else now - self.last_heartbeat_at

    def heartbeat_overdue(self, now: float) -> bool:
        since = (
            self.last_heartbeat_at if self.last_heartbeat_at is not None else self.connected_since
        )
        if self.state != "connected" or since is None:
            return False
        return now - since > HEARTBEAT_GRACE * self.heartbeat_interval


class TailState:
    """Rows per symbol, the link's status, the message rate and the faults seen.

    `faults` is fed by the caller (`FaultLedger.observe`, on the wall clock), not by `apply`.
    """

    def __init__(self, symbols: tuple[str, ...], faults: FaultLedger | None = None) -> None:
        self.rows: dict[str, SymbolRow] = {symbol: SymbolRow(symbol) for symbol in symbols}
        self.link = LinkStatus()
        self.faults = faults or FaultLedger()
        self._arrivals: deque[float] = deque()

    def apply(self, event: FeedEvent, now: float) -> bool:
        """Fold one client event into the state.

        True for a symbol's first price: worth showing at once, not at the next redraw.
        """
        if isinstance(event, Price):
            return self._on_price(event, now)
        if isinstance(event, Heartbeat):
            self._on_heartbeat(now)
        elif isinstance(event, Connected):
            self.link = _replace_link(self.link, state="connected", connected_since=now)
        elif isinstance(event, Subscribed):
            self._use_canonical_names(event.symbols)
        elif isinstance(event, Disconnected):
            self.link = _replace_link(self.link, state="reconnecting", reason=event.reason)
        elif isinstance(event, Retrying):
            self.link = _replace_link(
                self.link, state="reconnecting", attempt=event.attempt,
                next_try_at=event.at, reason=event.reason,
            )  # fmt: skip
        return False

    def stop(self, reason: str) -> None:
        """The run ended for good (a refusal, say): the link is no longer what it was."""
        self.link = dataclasses.replace(self.link, state="stopped", next_try_at=None, reason=reason)

    def messages_per_second(self, now: float) -> float:
        while self._arrivals and self._arrivals[0] <= now - RATE_WINDOW:
            self._arrivals.popleft()
        return len(self._arrivals) / RATE_WINDOW

    @property
    def total_missed(self) -> int:
        return sum(row.missed for row in self.rows.values())

    def _on_price(self, price: Price, now: float) -> bool:
        """Fold in a price; True if it is its symbol's first."""
        update = price.update
        row = self.rows.get(update.symbol)
        if row is None:  # the server's canonical spelling of a symbol asked for in another case
            row = self.rows[update.symbol] = SymbolRow(update.symbol)
        if row.last_update_at is not None:
            row.gaps.append(now - row.last_update_at)
        if row.first_price is None:
            row.first_price = update.price
        row.last_price = update.price
        row.volume = update.volume
        row.source = update.source
        row.last_update_at = now
        row.updates += 1
        row.missed += price.missed  # -1 for one that arrives out of order, filling its gap
        row.recent.append(update.price)
        self._arrivals.append(now)
        return row.updates == 1

    def _on_heartbeat(self, now: float) -> None:
        link = self.link
        if link.last_heartbeat_at is not None:
            # The shortest gap seen is the server's cadence; longer ones are missed beats.
            gap = now - link.last_heartbeat_at
            learned = link.heartbeat_interval if link.heartbeat_learned else gap
            link.heartbeat_interval = min(learned, gap)
            link.heartbeat_learned = True
        link.last_heartbeat_at = now

    def _use_canonical_names(self, symbols: tuple[str, ...]) -> None:
        by_folded = {name.casefold(): name for name in self.rows}
        renamed: dict[str, SymbolRow] = {}
        for symbol in symbols:
            old = by_folded.get(symbol.casefold(), symbol)
            row = self.rows.get(old) or SymbolRow(symbol)
            row.symbol = symbol
            renamed[symbol] = row
        for name, row in self.rows.items():
            if row.symbol not in renamed:
                renamed[name] = row
        self.rows = renamed


def _replace_link(link: LinkStatus, **changes: Any) -> LinkStatus:
    if changes.get("state") == "connected":
        # A new connection clears the retry bookkeeping, and heartbeats count from it:
        # the gap across an outage is neither overdue nor the server's cadence.
        changes = {
            "attempt": 0, "next_try_at": None, "reason": "", "last_heartbeat_at": None, **changes,
        }  # fmt: skip
    return dataclasses.replace(link, **changes)
