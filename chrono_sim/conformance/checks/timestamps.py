"""One rule over the whole run: every timestamp any check received has the protocol's format."""

from __future__ import annotations

from chrono_sim.conformance.check import Check, Phase
from chrono_sim.conformance.context import Scope
from chrono_sim.conformance.results import expect


async def timestamps(scope: Scope) -> str:
    good, detail = scope.state.log.verdict()
    expect(good, detail)
    return detail


CHECKS = (
    Check(
        "timestamps",
        "timestamps: ISO 8601 UTC with milliseconds and Z",
        timestamps,
        phase=Phase.SUMMARY,
    ),
)
