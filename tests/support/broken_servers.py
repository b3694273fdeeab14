"""Deliberately broken `/stream` servers, each with one fault, for proving `chrono check`.

Faults are built only through seams that do not depend on how the server
frames its output: what a session receives, the clock it reads, the
gatekeeper that admits connections, and the limits and keys of the config.
Each broken session is a `Session` subclass that lives here, and a server
opens it through its public seam: `ChronoServer(config, session_factory=LeakySession)`.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from chrono_sim.protocol.admission import Gatekeeper, Lease, Refusal
from chrono_sim.protocol.clock import Clock
from chrono_sim.protocol.messages import CloseCode, ErrorCode
from chrono_sim.protocol.session import Session, SessionSettings


def _rewrite(data: str | bytes, change: Any) -> str | bytes:
    """`data` with `change` applied to the message object, when it is one."""
    try:
        message = json.loads(data) if isinstance(data, str) else None
    except ValueError:
        return data
    if not isinstance(message, dict):
        return data
    change(message)
    return json.dumps(message)


class LeakySession(Session):
    """Keeps delivering the symbols a client unsubscribes from."""

    def __init__(self, settings: SessionSettings) -> None:
        super().__init__(settings)
        self._leak_hub = settings.hub
        self._leaked: set[str] = set()

    def receive(self, data: str | bytes) -> None:
        held = set(self.symbols)
        super().receive(data)
        dropped = held - set(self.symbols)
        self._leak_hub.subscribe(self, dropped)
        self._leaked |= dropped

    def close(self) -> None:
        self._leak_hub.unsubscribe(self, self._leaked)
        super().close()


class IgnoresIdSession(Session):
    """Never reads a client's `id`, so it never echoes one."""

    def receive(self, data: str | bytes) -> None:
        super().receive(_rewrite(data, lambda message: message.pop("id", None)))


class IgnoresSnapshotSession(Session):
    """Never reads `"snapshot": true`, so it never sends snapshots."""

    def receive(self, data: str | bytes) -> None:
        super().receive(_rewrite(data, lambda message: message.pop("snapshot", None)))


class _MillisecondsClock:
    """Wall-clock time in milliseconds where seconds are due: the classic unit slip."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    def monotonic(self) -> float:
        return self._clock.monotonic()

    def time(self) -> float:
        return self._clock.time() * 1000


class MillisecondsSession(Session):
    """Stamps its replies with milliseconds read as seconds (year 57000 and more)."""

    def __init__(self, settings: SessionSettings) -> None:
        super().__init__(dataclasses.replace(settings, clock=_MillisecondsClock(settings.clock)))


class NormalCloseGatekeeper(Gatekeeper):
    """Refuses an unknown key with UNAUTHORIZED but closes 1000 instead of 4401."""

    def admit(self, presented: str | None) -> Lease | Refusal:
        outcome = super().admit(presented)
        if (
            isinstance(outcome, Refusal)
            and presented is not None
            and outcome.code == ErrorCode.UNAUTHORIZED
        ):
            return dataclasses.replace(outcome, close_code=CloseCode.NORMAL)
        return outcome
