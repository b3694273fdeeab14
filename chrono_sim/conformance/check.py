"""A rule of the protocol that can be seen from outside, and when in a run it may be checked."""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from chrono_sim.conformance.context import Scope


class Phase(enum.IntEnum):
    """When a check runs. Checks of one phase finish before the next phase starts."""

    LIMITS = 1  # alone: it counts every open connection of the key
    CONCURRENT = 2  # together, within the key's connections and request rate
    RATE = 3  # alone, in order, last: they empty the key's request bucket on purpose
    SUMMARY = 4  # judges what every other check received


@dataclass(frozen=True, slots=True)
class Check:
    """`run` returns the detail of a pass, or raises `CheckFailed` / `CheckSkipped`.

    `connections` is the most it holds open at once; `long` marks a check that
    waits on a server timer, started first so that the others run meanwhile.
    """

    id: str
    rule: str
    run: Callable[[Scope], Awaitable[str]]
    phase: Phase = Phase.CONCURRENT
    connections: int = 1
    long: bool = False
