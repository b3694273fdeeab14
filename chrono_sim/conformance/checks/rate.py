"""The key's request rate, checked last: these checks empty its token bucket on purpose."""

from __future__ import annotations

import asyncio
import math
import time

from chrono_sim.conformance.check import Check, Phase
from chrono_sim.conformance.context import Scope
from chrono_sim.conformance.probe import Probe, is_error, next_id, retry_after_ms
from chrono_sim.conformance.results import expect
from chrono_sim.conformance.shapes import Message, describe_reply, quote
from chrono_sim.errors import CheckFailed, CheckSkipped

BURST_EXTRA = 10  # requests sent beyond what the bucket should hold
CHUNK = 25  # requests in flight at once: a server may stop reading while replies pile up
CAPACITY_SLACK = 3  # tokens: clocks and round trips make the count approximate
TOP_UP_TRIES = 4


async def _free_request(probe: Probe) -> Message:
    """An unsubscribe sent past the budget: only the rate checks may do this."""
    message = {"type": "unsubscribe", "id": next_id("rate")}
    await probe.send(message)
    return await probe.reply_to(message)


async def requests_over_rate(scope: Scope) -> str:
    state, per_minute = scope.state, scope.settings.rate_limit_per_minute
    probe = await scope.open(keep=True)
    state.rate.probe = probe
    expected = state.budget.available()
    burst = math.floor(expected) + BURST_EXTRA
    accepted, sent, refusal = 0, 0, None
    started = time.monotonic()
    while sent < burst and refusal is None:
        count = min(CHUNK, burst - sent)
        for _ in range(count):
            await probe.send({"type": "unsubscribe", "id": next_id("rate")})
        sent += count
        for _ in range(count):
            reply = await probe.reply_to(None)
            if refusal is not None:
                continue
            if reply.get("type") == "unsubscribed":
                accepted += 1
            else:
                refusal = reply
    if refusal is None:
        raise CheckFailed(
            f"{sent} requests in {time.monotonic() - started:.2f} s, none refused "
            f"(a key of {per_minute}/min holds about {math.floor(expected)} now)"
        )
    state.budget.drain()
    expect(
        is_error(refusal, "RATE_LIMITED"),
        f"request {accepted + 1}: {describe_reply(refusal)}, expected error RATE_LIMITED",
    )
    state.rate.emptied = True
    state.rate.accepted, state.rate.expected = accepted, expected
    wait = state.rate.retry_after_ms = retry_after_ms(refusal)
    expect(
        wait is not None and wait > 0,
        f"RATE_LIMITED without a positive integer retry_after_ms: {quote(refusal)}",
    )
    await probe.ping()
    return f"request {accepted + 1} refused, retry_after_ms {wait}; connection stays open"


async def connect_over_rate(scope: Scope) -> str:
    rate = scope.state.rate
    if not rate.emptied or rate.probe is None:
        raise CheckSkipped("needs the bucket emptied by the request rate check, which failed")
    half_token_ms = scope.settings.token_period * 500
    # The bucket refills meanwhile: spend what came back, so that it stays empty
    # for longer than a handshake takes.
    wait = 0
    for _ in range(TOP_UP_TRIES):
        reply = await _free_request(rate.probe)
        if is_error(reply, "RATE_LIMITED"):
            wait = retry_after_ms(reply) or 0
            if wait >= half_token_ms:
                break
            await asyncio.sleep(wait / 1000)
    refused_at = time.monotonic()
    outcome = await scope.attempt(cost=0, retry_rate_limited=False)
    if isinstance(outcome, Probe):
        after_ms = (time.monotonic() - refused_at) * 1000
        if after_ms < wait:
            raise CheckFailed(
                f"connection admitted {after_ms:.0f} ms after a RATE_LIMITED "
                f"that said retry in {wait} ms"
            )
        raise CheckSkipped(f"the handshake took {after_ms:.0f} ms, time enough to refill")
    seen = outcome.describe()
    expect(
        outcome.code == "RATE_LIMITED" and outcome.close_code == 4429,
        f"{seen}, expected error RATE_LIMITED then close 4429",
    )
    expect(outcome.retry_after_ms is not None, f"{seen}, but no retry_after_ms")
    rate.retry_after_ms = outcome.retry_after_ms
    return f"{seen}, retry_after_ms {outcome.retry_after_ms}"


async def refill(scope: Scope) -> str:
    state, rate = scope.state, scope.state.rate
    per_minute = scope.settings.rate_limit_per_minute
    if not rate.emptied or rate.probe is None or rate.retry_after_ms is None:
        raise CheckSkipped("needs the bucket emptied by the request rate check, which failed")
    wait, token_ms = rate.retry_after_ms, scope.settings.token_period * 1000
    expect(
        wait <= token_ms * 1.1 + 50,
        f"retry_after_ms {wait}: longer than one token takes at {per_minute}/min "
        f"({token_ms:.0f} ms)",
    )
    if state.budget.throttled:
        capacity = (
            "capacity not checked: the bucket was not full at the start "
            f"(paced requests refused: {state.budget.throttled})"
        )
    else:
        floor = math.floor(rate.expected)
        expect(
            rate.accepted >= floor - CAPACITY_SLACK,
            f"{rate.accepted} requests admitted before RATE_LIMITED, expected about {floor} "
            f"from a bucket of {per_minute}/min",
        )
        capacity = f"{rate.accepted} admitted from a full bucket (about {floor} expected)"
    await asyncio.sleep(wait / 1000 + max(0.05, wait / 10000))
    reply = await _free_request(rate.probe)
    expect(
        reply.get("type") == "unsubscribed",
        f"a request {wait} ms after RATE_LIMITED: {describe_reply(reply)}, expected it admitted",
    )
    return f"{capacity}; admitted again after retry_after_ms {wait}"


CHECKS = (
    Check(
        "rate-limit-requests",
        "RATE_LIMITED with retry_after_ms past the request rate, stays open",
        requests_over_rate,
        phase=Phase.RATE,
    ),
    Check(
        "rate-limit-connect",
        "connection past the request rate: RATE_LIMITED, close 4429",
        connect_over_rate,
        phase=Phase.RATE,
    ),
    Check(
        "rate-limit-refill",
        "request rate: a minute's bucket, refilled continuously",
        refill,
        phase=Phase.RATE,
    ),
)
