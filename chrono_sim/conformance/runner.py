"""Runs every check against one server, phase by phase, and returns the verdicts as data."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence

from chrono_sim.conformance.check import Check, Phase
from chrono_sim.conformance.checks import ALL_CHECKS
from chrono_sim.conformance.context import RunState, Scope
from chrono_sim.conformance.probe import Refused
from chrono_sim.conformance.results import CheckResult, Status
from chrono_sim.conformance.settings import CheckSettings
from chrono_sim.errors import (
    AuthenticationError,
    CheckFailed,
    CheckSkipped,
    ChronoError,
    RequestRefusedError,
    ServerUnreachableError,
)

OnResult = Callable[[CheckResult], None]


async def run_checks(
    settings: CheckSettings,
    *,
    checks: Sequence[Check] = ALL_CHECKS,
    on_result: OnResult | None = None,
) -> list[CheckResult]:
    """Check `settings.url` against every rule; one result per check, in `checks` order.

    Raises `ServerUnreachableError`, `AuthenticationError` or
    `RequestRefusedError` when not even one connection with the key can be
    opened: then no rule can be judged. `on_result` hears each verdict as it
    comes (checks finish out of order).
    """
    state = RunState.create(settings)
    await _preflight(state)
    results: dict[str, CheckResult] = {}

    def record(result: CheckResult) -> None:
        results[result.id] = result
        if on_result is not None:
            on_result(result)

    try:
        for phase in Phase:
            chosen = [check for check in checks if check.phase is phase]
            if phase is Phase.CONCURRENT:
                # Checks that wait on a server timer start first, the rest run meanwhile.
                chosen.sort(key=lambda check: not check.long)
                await asyncio.gather(*(_run_holding(state, check, record) for check in chosen))
            else:
                for check in chosen:
                    record(await run_check(state, check))
    finally:
        await state.close_kept()
    return [results[check.id] for check in checks]


async def run_check(state: RunState, check: Check) -> CheckResult:
    """One check's verdict; whatever it opened is closed before this returns."""
    scope = Scope(state)
    started = time.monotonic()
    try:
        status, detail = Status.PASS, await check.run(scope)
    except CheckFailed as exc:
        status, detail = Status.FAIL, exc.detail
    except CheckSkipped as exc:
        status, detail = Status.SKIP, exc.detail
    except ChronoError as exc:  # the server stopped answering handshakes mid-run
        status, detail = Status.FAIL, str(exc)
    except Exception as exc:  # a reply odd enough to trip the checker: a red row, not a crash
        status, detail = Status.FAIL, f"checker error on the reply: {type(exc).__name__}: {exc}"
    finally:
        await scope.close()
    return CheckResult(check.id, check.rule, status, detail, time.monotonic() - started)


async def _run_holding(state: RunState, check: Check, record: OnResult) -> None:
    async with state.slots.hold(check.connections):
        record(await run_check(state, check))


async def _preflight(state: RunState) -> None:
    """One connection with the key, so a wrong URL or key ends in one line, not 34 red rows."""
    url = state.settings.url
    scope = Scope(state)
    try:
        outcome = await scope.attempt()
    except CheckFailed as exc:
        raise ServerUnreachableError(f"{url}: connected, but {exc.detail}") from None
    finally:
        await scope.close()
    if not isinstance(outcome, Refused):
        return
    if outcome.code == "UNAUTHORIZED" or outcome.close_code == 4401:
        raise AuthenticationError(f"{url} refused the API key: {outcome.describe()}")
    raise RequestRefusedError(
        f"{url} refused the first connection: {outcome.describe()}", code=str(outcome.code)
    )
