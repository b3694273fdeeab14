"""The stream itself: price_update fields and seq, ping, heartbeat, idle timeout, 1 MiB."""

from __future__ import annotations

import contextlib
import time

import msgspec

from chrono_sim.conformance.check import Check
from chrono_sim.conformance.context import Scope
from chrono_sim.conformance.probe import ConnectionEnded, NoMessage, Probe, next_id
from chrono_sim.conformance.results import expect
from chrono_sim.conformance.settings import FLOWING, MAX_MESSAGE_BYTES, timer_slack
from chrono_sim.conformance.shapes import (
    PRICE_UPDATE_FIELDS,
    Message,
    describe_close,
    describe_reply,
    price_update_problems,
)
from chrono_sim.errors import CheckFailed, CheckSkipped

UPDATES_CHECKED = 4
SEQ_STEPS = 4  # pairs of consecutive updates of one symbol, whose seq must grow by one


async def _streaming(scope: Scope) -> tuple[Probe, list[str]]:
    symbols = list(scope.settings.symbols[:FLOWING])
    probe = await scope.open()
    reply = await probe.request({"type": "subscribe", "symbols": symbols})
    expect(
        reply.get("type") == "subscribed",
        f"subscribe {symbols}: {describe_reply(reply)}, expected subscribed",
    )
    return probe, symbols


async def _next_update(probe: Probe) -> Message:
    return await probe.wait_for(lambda m: m.get("type") == "price_update", "a price_update")


async def price_update_fields(scope: Scope) -> str:
    probe, symbols = await _streaming(scope)
    for _ in range(UPDATES_CHECKED):
        update = await _next_update(probe)
        problems = price_update_problems(update)
        if update.get("symbol") not in symbols:
            problems.append(f"symbol {update.get('symbol')!r} was not subscribed")
        expect(not problems, f"{'; '.join(problems)} in {msgspec.json.encode(update).decode()}")
    return f"{UPDATES_CHECKED} updates with exactly {', '.join(PRICE_UPDATE_FIELDS)}"


async def seq_by_one(scope: Scope) -> str:
    probe, _ = await _streaming(scope)
    first: dict[str, int] = {}
    last: dict[str, int] = {}
    steps = 0
    while steps < SEQ_STEPS:
        update = await _next_update(probe)
        symbol, seq = str(update.get("symbol")), update.get("seq")
        if not isinstance(seq, int) or isinstance(seq, bool):
            raise CheckFailed(f"price_update of {symbol} has seq {seq!r}, expected an integer")
        if symbol in last:
            if seq != last[symbol] + 1:
                raise CheckFailed(
                    f"{symbol}: seq {last[symbol]} then {seq}, expected {last[symbol] + 1}"
                )
            steps += 1
        first.setdefault(symbol, seq)
        last[symbol] = seq
    grown = [f"{symbol} {first[symbol]}..{n}" for symbol, n in last.items() if n > first[symbol]]
    return f"+1 each time: {', '.join(grown)}"


async def ping_pong(scope: Scope) -> str:
    probe = await scope.open()
    ping_id = next_id("ping")
    await probe.send({"type": "ping", "id": ping_id})
    # An invalid message right after: its error reply marks where the pong must have come.
    await probe.send({"type": "chrono_check_fence", "id": next_id("fence")})
    seen = await probe.replies(1, "a pong and the reply to the message after the ping")
    pongs = [m for m in seen if m.get("type") == "pong"]
    ours = [m for m in pongs if m.get("id") == ping_id] or [m for m in pongs if "id" not in m]
    expect(bool(ours), f"ping answered by {[describe_reply(m) for m in seen]}, expected a pong")
    expect(
        isinstance(ours[0].get("timestamp"), str),
        f"pong has no timestamp: {describe_reply(ours[0])}",
    )
    return "pong with timestamp"


async def heartbeat(scope: Scope) -> str:
    interval = scope.settings.heartbeat_interval
    limit = interval + timer_slack(interval)
    while True:
        probe = await scope.open(confirm=False)  # sends nothing: a pong can only be a heartbeat
        try:
            await probe.wait_for(lambda m: m.get("type") == "pong", "a heartbeat", within=limit)
        except NoMessage:
            raise CheckFailed(
                f"no heartbeat pong within {limit:g} s of connecting "
                f"(expected every {interval:g} s)"
            ) from None
        except ConnectionEnded:
            if await scope.refused_for_rate(probe):
                continue  # the key's bucket was lower than assumed: the budget now knows
            raise
        return f"first heartbeat {time.monotonic() - probe.opened_at:.2f} s after connecting"


async def idle_timeout(scope: Scope) -> str:
    idle = scope.settings.idle_timeout
    if not scope.settings.slow:
        raise CheckSkipped(f"slow: --slow waits out the idle timeout ({idle:g} s)")
    slack = timer_slack(idle)
    while True:
        probe = await scope.open(confirm=False)  # sends nothing at all, ever
        try:
            code, reason = await probe.until_closed("the idle close", within=idle + slack)
        except NoMessage:
            raise CheckFailed(
                f"still open {idle + slack:g} s after connecting, sending nothing"
            ) from None
        if not await scope.refused_for_rate(probe):
            break
    elapsed = time.monotonic() - probe.opened_at
    closed = f"{describe_close(code, reason)} after {elapsed:.1f} s"
    expect(
        (code, reason) == (4408, "idle timeout"), f"{closed}, expected close 4408 'idle timeout'"
    )
    expect(elapsed >= idle - slack, f"{closed}: earlier than the {idle:g} s idle timeout")
    return closed


def _padded_ping(size: int, ping_id: str) -> str:
    """A valid ping of exactly `size` bytes: unknown fields are ignored, so pad with one."""
    head, tail = f'{{"type":"ping","id":"{ping_id}","pad":"', '"}'
    return head + "x" * (size - len(head) - len(tail)) + tail


async def message_size(scope: Scope) -> str:
    probe = await scope.open()
    fits = next_id("fits")
    await probe.send_raw(_padded_ping(MAX_MESSAGE_BYTES, fits))
    try:
        reply = await probe.reply_to({"type": "ping", "id": fits})
    except ConnectionEnded as exc:
        raise CheckFailed(f"a message of exactly 1 MiB: {exc.detail}") from None
    expect(
        reply.get("type") == "pong",
        f"a ping of exactly 1 MiB answered {describe_reply(reply)}, expected pong",
    )
    await probe.send_raw(_padded_ping(MAX_MESSAGE_BYTES + 1, next_id("over")))
    with contextlib.suppress(ConnectionEnded):
        await probe.send({"type": "chrono_check_fence", "id": next_id("fence")})
    try:
        answer = await probe.wait_for(lambda m: m.get("type") in ("pong", "error"), "close 1009")
    except ConnectionEnded:
        code, reason = probe.ws.close_code, probe.ws.close_reason
        expect(code == 1009, f"1 MiB + 1 byte: {describe_close(code, reason)}, expected close 1009")
        return "exactly 1 MiB answered; 1 MiB + 1 byte closed 1009"
    raise CheckFailed(f"1 MiB + 1 byte answered {describe_reply(answer)}, expected close 1009")


CHECKS = (
    Check(
        "price-update-fields",
        "price_update: exactly the documented fields + seq",
        price_update_fields,
    ),
    Check("seq", "price_update: seq grows by one per symbol", seq_by_one),
    Check("ping", "ping: pong with timestamp", ping_pong),
    Check("heartbeat", "heartbeat: pong within --heartbeat-interval", heartbeat, long=True),
    Check("idle-timeout", "idle timeout: close 4408", idle_timeout, long=True),
    Check("max-message-size", "over 1 MiB: close 1009", message_size),
)
