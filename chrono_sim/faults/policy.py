"""The `DeliveryPolicy` that injects a `FaultPlan` into one connection, still with no I/O.

Price updates pass through `deliver`, where each one draws its fate from the
connection's own RNG: dropped, held back for a swap (reorder), sent twice,
or delayed. Disconnects and the stall are deadlines run by `on_timer`. Every
fault is counted in the shared `counts` only once a client can see it: an
update put in the outbox (or a connection dropped, a stall begun). A held
update that never goes out (its symbol unsubscribed, the connection closed)
is not counted. Replies never pass through here: the protocol's rules stay
in `Session`, which consults the policy.

What a client sees matches the counts while it keeps up. A client that falls
so far behind that its outbox conflates loses duplicates and swaps with the
rest of its backlog (and sees gaps that are not drops), as any slow reader would.

`FaultInjector` is the `SessionFactory` a server with `--fault` opens its
sessions with: each gets a `FaultPolicy` of its own.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from chrono_sim.faults.plan import FaultPlan, connection_rng
from chrono_sim.protocol.clock import Clock
from chrono_sim.protocol.delivery import Close
from chrono_sim.protocol.messages import CloseCode
from chrono_sim.protocol.outbox import Outbox
from chrono_sim.protocol.session import Session, SessionSettings

INJECTED_DISCONNECT = Close(CloseCode.GOING_AWAY, "injected disconnect", abort=True)

# A frame on its way out, and the fault it shows the client once sent (if any).
_Outgoing = tuple[bytes, str | None]


def _nothing() -> None:
    pass


@dataclass(slots=True)
class _Delayed:
    """The frames of one symbol waiting for `release` (a `Clock.monotonic()` reading)."""

    release: float
    frames: list[_Outgoing] = field(default_factory=list)


class FaultPolicy:
    """Injects `plan`'s faults into the prices of one session (a `DeliveryPolicy`).

    `rng` must be this connection's own (see `connection_rng`); `counts` is
    shared by a server's connections and counts faults by kind.
    """

    def __init__(
        self,
        plan: FaultPlan,
        *,
        rng: random.Random,
        counts: Counter[str],
        clock: Clock,
    ) -> None:
        self._plan = plan
        self._rng = rng
        self._counts = counts
        self._clock = clock
        self._deadline_moved = _nothing
        self._held: dict[str, bytes] = {}  # reorder: an update waiting for the next of its symbol
        self._delayed: dict[str, _Delayed] = {}
        opened = clock.monotonic()
        every = plan.disconnect_every
        self._next_disconnect = math.inf if every is None else opened + every
        stall = plan.stall
        self._stall_start = math.inf if stall is None else opened + stall.offset
        self._stall_end = math.inf if stall is None else self._stall_start + stall.duration
        self._stalled = False

    @property
    def pending(self) -> int:
        delayed = sum(len(queue.frames) for queue in self._delayed.values())
        return len(self._held) + delayed

    @property
    def paused(self) -> bool:
        return self._stalled

    def watch_deadline(self, moved: Callable[[], None]) -> None:
        self._deadline_moved = moved

    def deliver(self, outbox: Outbox, symbol: str, frame: bytes) -> None:
        plan, rng = self._plan, self._rng
        # Every update draws the same numbers whatever happened before, so which
        # updates are hit depends on the seed and their order only, not on timing.
        dropped = plan.drop > 0 and rng.random() < plan.drop
        reordered = plan.reorder > 0 and rng.random() < plan.reorder
        duplicated = plan.duplicate > 0 and rng.random() < plan.duplicate
        delay = plan.delay
        delay_for: float | None = None
        if delay is not None:
            hit = rng.random() < delay.probability
            wait = rng.uniform(delay.minimum, delay.maximum)
            delay_for = wait if hit else None
        if dropped:
            # A held update waits on for the next update that is actually sent.
            self._counts["drop"] += 1
            return
        held = self._held.pop(symbol, None)
        if held is None and reordered:
            self._held[symbol] = frame
            return
        outgoing: list[_Outgoing] = [(frame, None)]
        if duplicated:
            outgoing.append((frame, "duplicate"))
        if held is not None:
            outgoing.append((held, "reorder"))
        queue = self._delayed.get(symbol)
        if queue is None and delay_for is not None:
            outgoing[0] = (frame, "delay")
            queue = self._delayed[symbol] = _Delayed(self._clock.monotonic() + delay_for)
            self._deadline_moved()
        if queue is None:
            self._send(outbox, symbol, outgoing)
        else:
            # Later updates never overtake a delayed one: they wait behind it, so they
            # are delayed too (if not already marked as another fault) and count.
            first, fault = outgoing[0]
            if fault is None:
                outgoing[0] = (first, "delay")
            queue.frames.extend(outgoing)

    def on_timer(self, outbox: Outbox, now: float) -> Close | None:
        if now >= self._next_disconnect:
            self._next_disconnect += self._plan.disconnect_every or math.inf
            self._counts["disconnect"] += 1
            return INJECTED_DISCONNECT
        for symbol in [s for s, queue in self._delayed.items() if queue.release <= now]:
            self._send(outbox, symbol, self._delayed.pop(symbol).frames)
        if not self._stalled and now >= self._stall_start:
            self._stalled = True
            self._stall_start = math.inf
            self._counts["stall"] += 1
        if self._stalled and now >= self._stall_end:
            self._stalled = False
            self._stall_end = math.inf  # the session announces the frames that waited
        return None

    def next_deadline(self) -> float:
        stall_event = self._stall_end if self._stalled else self._stall_start
        release = min((queue.release for queue in self._delayed.values()), default=math.inf)
        return min(self._next_disconnect, stall_event, release)

    def discard(self, symbols: Iterable[str]) -> None:
        """Forget held and delayed updates of `symbols`, uncounted: no client sees them."""
        for symbol in symbols:
            self._held.pop(symbol, None)
            self._delayed.pop(symbol, None)

    def close(self) -> None:
        self._held.clear()
        self._delayed.clear()
        self._deadline_moved = _nothing

    def _send(self, outbox: Outbox, symbol: str, outgoing: list[_Outgoing]) -> None:
        for frame, fault in outgoing:
            outbox.put_price(symbol, frame)
            if fault is not None:
                self._counts[fault] += 1


class FaultInjector:
    """Opens the fault sessions of one server, numbering connections 1, 2, 3... as opened.

    Connection k draws from `connection_rng(seed, k)`, so a rerun with the
    same seed and the same clients injects the same faults. `open_session`
    is a `SessionFactory`.
    """

    def __init__(self, plan: FaultPlan, *, seed: int, counts: Counter[str]) -> None:
        self.plan = plan
        self.seed = seed
        self.counts = counts
        self.connections = 0

    def policy(self, clock: Clock) -> FaultPolicy:
        """The next connection's policy."""
        self.connections += 1
        return FaultPolicy(
            self.plan,
            rng=connection_rng(self.seed, self.connections),
            counts=self.counts,
            clock=clock,
        )

    def open_session(self, settings: SessionSettings) -> Session:
        """The next connection's session, with its own `FaultPolicy`."""
        return Session(settings, policy=self.policy(settings.clock))
