"""What may bend a session's delivery of prices on purpose, and how a session asks to close.

A `DeliveryPolicy` stands between the hub and one session's outbox: the
injected faults of `chrono serve --fault` are one (`chrono_sim.faults.policy`).
`Close` is what a session's (or its policy's) timer returns to end a connection.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

from chrono_sim.protocol.messages import CloseCode
from chrono_sim.protocol.outbox import Outbox


@dataclass(frozen=True, slots=True)
class Close:
    """The session wants the connection closed with this code and reason.

    With `abort`, the connection is dropped instead, without a close frame (the
    peer sees 1006); `code` and `reason` are then only logged.
    """

    code: CloseCode
    reason: str
    abort: bool = False


class DeliveryPolicy(Protocol):
    """Stands between the hub and one session's outbox: the seam for deliberate faults.

    Only a policy moves a session's deadline earlier, so it announces that to
    whoever `watch_deadline` named (the server's timer).
    """

    @property
    def pending(self) -> int:
        """Price frames taken by `deliver` and not yet put in the outbox."""

    @property
    def paused(self) -> bool:
        """True while the connection must write nothing (the session then gives no frames)."""

    def deliver(self, outbox: Outbox, symbol: str, frame: bytes) -> None:
        """Take a published price frame: put it in `outbox` now, later, twice, or never."""

    def discard(self, symbols: Iterable[str]) -> None:
        """Forget held frames of `symbols`: unsubscribed, or superseded by a snapshot."""

    def next_deadline(self) -> float:
        """When `on_timer` next has something to do (a `Clock.monotonic()` reading)."""

    def on_timer(self, outbox: Outbox, now: float) -> Close | None:
        """Run what is due at `now`; a `Close` ends the connection (before the session's rules)."""

    def watch_deadline(self, moved: Callable[[], None]) -> None:
        """Have `moved()` called whenever `next_deadline()` moves earlier."""

    def close(self) -> None:
        """The session closed: forget everything held; idempotent."""
