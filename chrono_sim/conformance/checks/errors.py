"""Error codes: VALIDATION_ERROR keeps the connection open, UNKNOWN_SYMBOL, SUBSCRIPTION_LIMIT."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from chrono_sim.conformance.check import Check
from chrono_sim.conformance.context import Scope
from chrono_sim.conformance.probe import Probe, is_error
from chrono_sim.conformance.results import expect
from chrono_sim.conformance.settings import MAX_SYMBOLS, UNKNOWN_SYMBOL
from chrono_sim.conformance.shapes import describe_reply


async def _refused_and_open(probe: Probe, payload: str | bytes, what: str) -> str:
    await probe.send_raw(payload)
    reply = await probe.reply_to(None)
    expect(
        is_error(reply, "VALIDATION_ERROR"),
        f"{what}: {describe_reply(reply)}, expected error VALIDATION_ERROR",
    )
    await probe.ping()
    return f"{what}: VALIDATION_ERROR"


def _validation(*payloads: tuple[str | bytes, str]) -> Callable[[Scope], Awaitable[str]]:
    async def run(scope: Scope) -> str:
        probe = await scope.open()
        seen = [await _refused_and_open(probe, payload, what) for payload, what in payloads]
        return "; ".join(seen) + "; ping still answered"

    return run


async def unknown_symbol(scope: Scope) -> str:
    probe = await scope.open()
    known = scope.settings.symbols[0]
    reply = await probe.request({"type": "subscribe", "symbols": [known, UNKNOWN_SYMBOL]})
    expect(
        is_error(reply, "UNKNOWN_SYMBOL"),
        f"subscribe [{known}, {UNKNOWN_SYMBOL}]: {describe_reply(reply)}, "
        "expected error UNKNOWN_SYMBOL",
    )
    expect(
        reply.get("symbols") == [UNKNOWN_SYMBOL],
        f"UNKNOWN_SYMBOL lists {reply.get('symbols')!r}, expected [{UNKNOWN_SYMBOL!r}]",
    )
    return f"UNKNOWN_SYMBOL listing [{UNKNOWN_SYMBOL}]"


async def subscription_limit(scope: Scope) -> str:
    probe = await scope.open()
    symbols = list(scope.settings.symbols[: MAX_SYMBOLS + 1])
    at_once = await probe.request({"type": "subscribe", "symbols": symbols})
    expect(
        is_error(at_once, "SUBSCRIPTION_LIMIT"),
        f"{len(symbols)} symbols in one subscribe: {describe_reply(at_once)}, "
        "expected error SUBSCRIPTION_LIMIT",
    )
    held = await probe.request({"type": "subscribe", "symbols": symbols[:MAX_SYMBOLS]})
    expect(
        held.get("type") == "subscribed",
        f"{MAX_SYMBOLS} symbols: {describe_reply(held)}, expected subscribed",
    )
    one_more = await probe.request({"type": "subscribe", "symbols": symbols[MAX_SYMBOLS:]})
    expect(
        is_error(one_more, "SUBSCRIPTION_LIMIT"),
        f"symbol {MAX_SYMBOLS + 1} after {MAX_SYMBOLS} held: {describe_reply(one_more)}, "
        "expected error SUBSCRIPTION_LIMIT",
    )
    return (
        f"{MAX_SYMBOLS + 1} in one message refused; {MAX_SYMBOLS} held, "
        f"the {MAX_SYMBOLS + 1}th refused"
    )


CHECKS = (
    Check(
        "invalid-json",
        "VALIDATION_ERROR for invalid JSON, stays open",
        _validation(('{"type": "ping"', "truncated JSON")),
    ),
    Check(
        "not-an-object",
        "VALIDATION_ERROR for JSON not an object, stays open",
        _validation(('["ping"]', "a JSON array"), ('"ping"', "a JSON string")),
    ),
    Check(
        "unknown-type",
        "VALIDATION_ERROR for missing or unknown type, stays open",
        _validation(
            ('{"symbols": ["BTC/USD"]}', "no type"),
            ('{"type": "chrono_check_nonsense"}', "unknown type"),
        ),
    ),
    Check(
        "wrong-field-type",
        "VALIDATION_ERROR for a field of the wrong type, stays open",
        _validation(('{"type": "subscribe", "symbols": "BTC/USD"}', "symbols as a string")),
    ),
    Check(
        "binary-frame",
        "VALIDATION_ERROR for a binary frame, stays open",
        _validation((b'{"type": "ping"}', "a binary frame")),
    ),
    Check("unknown-symbol", "UNKNOWN_SYMBOL lists the unknown symbols", unknown_symbol),
    Check(
        "subscription-limit",
        "SUBSCRIPTION_LIMIT past 10 symbols (per message, per connection)",
        subscription_limit,
    ),
)
