"""Connections per key: the limit holds, a refusal does not count, a close frees a slot."""

from __future__ import annotations

from chrono_sim.conformance.check import Check, Phase
from chrono_sim.conformance.context import Scope
from chrono_sim.conformance.probe import Probe, Refused
from chrono_sim.conformance.results import expect
from chrono_sim.errors import CheckFailed


async def connection_limit(scope: Scope) -> str:
    limit = scope.settings.max_connections
    held: list[Probe] = []
    for number in range(1, limit + 1):
        outcome = await scope.attempt()
        if isinstance(outcome, Refused):
            raise CheckFailed(
                f"connection {number} of {limit} refused: {outcome.describe()} "
                "(is another client holding connections of this key?)"
            )
        held.append(outcome)
    extra = await scope.attempt()
    if isinstance(extra, Probe):
        raise CheckFailed(f"connection {limit + 1} admitted, expected CONNECTION_LIMIT, close 4429")
    seen = extra.describe()
    expect(
        extra.code == "CONNECTION_LIMIT" and extra.close_code == 4429,
        f"connection {limit + 1}: {seen}, expected error CONNECTION_LIMIT then close 4429",
    )
    await held.pop().close()
    again = await scope.attempt()
    if isinstance(again, Refused):
        raise CheckFailed(
            f"after closing one of {limit}, a new connection was refused: {again.describe()}"
        )
    return f"{limit} admitted; connection {limit + 1}: {seen}; one closed, one more admitted"


CHECKS = (
    Check(
        "connection-limit",
        "connections per key: CONNECTION_LIMIT, close 4429 past the limit",
        connection_limit,
        phase=Phase.LIMITS,
    ),
)
