"""What checks share during one run: settings, pacing, the timestamp log, the rate findings."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from chrono_sim.conformance.budget import ConnectionSlots, RequestBudget
from chrono_sim.conformance.probe import Auth, Probe, Refused, attempt, is_error, retry_after_ms
from chrono_sim.conformance.settings import CheckSettings
from chrono_sim.conformance.transcript import TimestampLog
from chrono_sim.errors import CheckFailed


@dataclass(slots=True)
class RateFindings:
    """What the request-rate check learnt, for the rate checks that follow it."""

    probe: Probe | None = None
    emptied: bool = False
    accepted: int = 0
    expected: float = 0.0
    retry_after_ms: int | None = None


@dataclass(slots=True)
class RunState:
    """One run's shared state; each check sees it through its own `Scope`."""

    settings: CheckSettings
    budget: RequestBudget
    slots: ConnectionSlots
    log: TimestampLog = field(default_factory=TimestampLog)
    rate: RateFindings = field(default_factory=RateFindings)
    kept: list[Probe] = field(default_factory=list)

    @classmethod
    def create(cls, settings: CheckSettings) -> RunState:
        # One connection spare: a server may free a closed connection's slot a moment
        # after the client sees the close.
        slots = ConnectionSlots(max(1, settings.max_connections - 1))
        return cls(settings, RequestBudget(settings.rate_limit_per_minute), slots)

    async def close_kept(self) -> None:
        await asyncio.gather(*(probe.close() for probe in self.kept))
        self.kept.clear()


class Scope:
    """A check's view of the run: opens connections and closes them when the check ends."""

    def __init__(self, state: RunState) -> None:
        self.state = state
        self.settings = state.settings
        self._probes: list[Probe] = []

    def key(self) -> Auth:
        """The key under test, as `Authorization: Bearer`."""
        return Auth.bearer(self.settings.api_key)

    async def attempt(
        self,
        auth: Auth | None = None,
        *,
        cost: int = 1,
        confirm: bool = True,
        retry_rate_limited: bool = True,
        keep: bool = False,
    ) -> Probe | Refused:
        """Try a connection (the key as Bearer by default); see `probe.attempt`.

        `keep` leaves an admitted connection open after the check, for the next
        check of a sequence; the run closes it at the end.
        """
        outcome = await attempt(
            self.settings,
            self.key() if auth is None else auth,
            budget=self.state.budget,
            log=self.state.log,
            cost=cost,
            confirm=confirm,
            retry_rate_limited=retry_rate_limited,
        )
        if isinstance(outcome, Probe):
            (self.state.kept if keep else self._probes).append(outcome)
        return outcome

    async def open(
        self, auth: Auth | None = None, *, confirm: bool = True, keep: bool = False
    ) -> Probe:
        """A connection the server must admit; the check fails if it refuses."""
        outcome = await self.attempt(auth, confirm=confirm, keep=keep)
        if isinstance(outcome, Refused):
            raise CheckFailed(f"connection refused: {outcome.describe()}")
        return outcome

    async def refused_for_rate(self, probe: Probe) -> bool:
        """Whether a connection opened without `confirm` was turned away for rate.

        If so the budget waits as the server said, and the caller may try again.
        """
        error = next((m for m in probe.pending if is_error(m, "RATE_LIMITED")), None)
        if error is None:
            return False
        await self.state.budget.throttled_for(retry_after_ms(error))
        return True

    async def close(self) -> None:
        await asyncio.gather(*(probe.close() for probe in self._probes))
        self._probes.clear()
