"""Handshake rules: the two ways to present a key, which one wins, and the refusals."""

from __future__ import annotations

from chrono_sim.conformance.check import Check
from chrono_sim.conformance.context import Scope
from chrono_sim.conformance.plain_http import get_status
from chrono_sim.conformance.probe import Auth, Probe, Refused
from chrono_sim.conformance.results import expect
from chrono_sim.errors import CheckFailed

WRONG_KEY = "chrono_check_not_a_key_0000"


async def bearer_header(scope: Scope) -> str:
    await scope.open(Auth.bearer(scope.settings.api_key))
    return "admitted with `Authorization: Bearer <key>`; ping answered"


async def bearer_any_case(scope: Scope) -> str:
    await scope.open(Auth.bearer(scope.settings.api_key, scheme="bearer"))
    return "admitted with `Authorization: bearer <key>`"


async def query_parameter(scope: Scope) -> str:
    await scope.open(Auth(query_key=scope.settings.api_key))
    return "admitted with `?api_key=<key>` and no header"


async def header_wins(scope: Scope) -> str:
    key = scope.settings.api_key
    good_header = await scope.attempt(Auth(header=f"Bearer {key}", query_key=WRONG_KEY))
    if isinstance(good_header, Refused):
        raise CheckFailed(f"good header, wrong query key: refused ({good_header.describe()})")
    await good_header.close()
    # A key the server does not know presents no budget to pay from: free.
    wrong_header = await scope.attempt(Auth(header=f"Bearer {WRONG_KEY}", query_key=key), cost=0)
    if isinstance(wrong_header, Probe):
        raise CheckFailed("wrong header, good query key: admitted (the query key won)")
    expect(
        wrong_header.code == "UNAUTHORIZED",
        f"wrong header, good query key: {wrong_header.describe()}, expected UNAUTHORIZED",
    )
    return "good header + wrong query admitted; wrong header + good query UNAUTHORIZED"


def _expect_unauthorized(outcome: Probe | Refused, situation: str) -> str:
    if isinstance(outcome, Probe):
        raise CheckFailed(f"{situation}: admitted, expected error UNAUTHORIZED then close 4401")
    seen = outcome.describe()
    expect(outcome.code == "UNAUTHORIZED", f"{situation}: {seen}, expected error UNAUTHORIZED")
    expect(outcome.close_code == 4401, f"{situation}: {seen}, expected close 4401")
    return seen


async def missing_key(scope: Scope) -> str:
    return _expect_unauthorized(await scope.attempt(Auth(), cost=0), "no key")


async def unknown_key(scope: Scope) -> str:
    return _expect_unauthorized(await scope.attempt(Auth.bearer(WRONG_KEY), cost=0), "unknown key")


async def plain_http(scope: Scope) -> str:
    status, body = await get_status(scope.settings)
    lines = body.rstrip("\n").split("\n")
    expect(status == 400, f"plain GET answered HTTP {status}, expected 400")
    expect(len(lines) == 1 and lines[0].strip() != "", f"HTTP 400 body is not one line: {body!r}")
    return f"HTTP 400: {lines[0][:80]}"


CHECKS = (
    Check("auth-bearer", "auth: Authorization: Bearer header", bearer_header),
    Check("auth-bearer-case", "auth: Bearer scheme in any case", bearer_any_case),
    Check("auth-query", "auth: api_key query parameter", query_parameter),
    Check("auth-header-wins", "auth: header wins over query parameter", header_wins),
    Check("refuse-missing-key", "missing key: UNAUTHORIZED, close 4401", missing_key),
    Check("refuse-unknown-key", "unknown key: UNAUTHORIZED, close 4401", unknown_key),
    Check("plain-http", "plain HTTP on /stream: 400", plain_http),
)
