"""Subscribe semantics: any case in, canonical out; duplicates; all or nothing; id; snapshot."""

from __future__ import annotations

from chrono_sim.conformance.check import Check
from chrono_sim.conformance.context import Scope
from chrono_sim.conformance.probe import Probe, is_error, next_id
from chrono_sim.conformance.results import expect
from chrono_sim.conformance.settings import UNKNOWN_SYMBOL
from chrono_sim.conformance.shapes import Message, describe_reply
from chrono_sim.errors import CheckFailed


async def _subscribed(probe: Probe, symbols: list[str], **extra: object) -> Message:
    reply = await probe.request({"type": "subscribe", "symbols": symbols, **extra})
    expect(
        reply.get("type") == "subscribed",
        f"subscribe {symbols}: {describe_reply(reply)}, expected subscribed",
    )
    return reply


async def any_case(scope: Scope) -> str:
    first, second = scope.settings.symbols[:2]
    asked = [first.lower(), second.title() if second.title() != second else second.lower()]
    reply = await _subscribed(await scope.open(), asked)
    expect(
        reply.get("symbols") == [first, second],
        f"subscribe {asked} echoed {reply.get('symbols')!r}, expected {[first, second]}",
    )
    return f"{asked} echoed as {[first, second]}"


async def duplicates(scope: Scope) -> str:
    first, second = scope.settings.symbols[:2]
    asked = [first, first, second, first]
    reply = await _subscribed(await scope.open(), asked)
    expect(
        reply.get("symbols") == [first, second],
        f"subscribe {asked} echoed {reply.get('symbols')!r}, expected {[first, second]}",
    )
    return f"{asked} echoed as {[first, second]}"


async def already_held(scope: Scope) -> str:
    first, second = scope.settings.symbols[:2]
    probe = await scope.open()
    await _subscribed(probe, [first])
    again = await _subscribed(probe, [first, second])
    expect(
        again.get("symbols") == [first, second],
        f"subscribe {[first, second]} with {first} held echoed {again.get('symbols')!r}",
    )
    return f"{first} held, then {[first, second]} subscribed"


async def all_or_nothing(scope: Scope) -> str:
    first, second = scope.settings.symbols[:2]
    asked = [first, second, UNKNOWN_SYMBOL]
    probe = await scope.open()
    reply = await probe.request({"type": "subscribe", "symbols": asked})
    expect(
        reply.get("type") == "error",
        f"subscribe {asked}: {describe_reply(reply)}, expected an error",
    )
    removed = await probe.request({"type": "unsubscribe"})
    expect(
        removed.get("type") == "unsubscribed" and removed.get("symbols") == [],
        f"after the refused subscribe, unsubscribe removed {describe_reply(removed)}: "
        "part of the request was applied",
    )
    return f"{asked} refused ({reply.get('code')}); nothing was subscribed"


async def id_echo(scope: Scope) -> str:
    probe = await scope.open()
    ids: dict[str, object] = {
        "subscribed": 7,  # an integer id must come back an integer
        "unsubscribed": next_id("unsubscribe"),
        "pong": next_id("ping"),
        "error": next_id("invalid"),
    }
    await probe.pay(2)  # sent at once below, so paid for up front
    symbol = scope.settings.symbols[0]
    for message in (
        {"type": "subscribe", "symbols": [symbol], "id": ids["subscribed"]},
        {"type": "unsubscribe", "id": ids["unsubscribed"]},
        {"type": "ping", "id": ids["pong"]},
        {"type": "chrono_check_nonsense", "id": ids["error"]},
    ):
        await probe.send(message)
    # The error comes last, so the pong of the ping is among the messages before it.
    seen = await probe.replies(3, "replies to subscribe, unsubscribe, ping, invalid")
    wrong: list[str] = []
    for kind, sent in ids.items():
        echoed = [m.get("id") for m in seen if m.get("type") == kind]
        if sent not in echoed or any(type(e) is not type(sent) for e in echoed if e == sent):
            wrong.append(f"{kind} carried {echoed or 'nothing'}, expected {sent!r}")
    if any(is_error(m, "RATE_LIMITED") for m in seen):
        raise CheckFailed("the server refused a request as over rate while the checker paced")
    expect(not wrong, "; ".join(wrong))
    return "id echoed on subscribed (7), unsubscribed, pong and error"


async def snapshot(scope: Scope) -> str:
    symbols = list(scope.settings.symbols[:2])
    probe = await scope.open()
    await _subscribed(probe, symbols, snapshot=True)
    missing = set(symbols)
    while missing:
        update = await probe.wait_for(
            lambda m: m.get("type") == "price_update",
            f"a snapshot of {sorted(missing)}",
        )
        expect(
            update.get("snapshot") is True,
            f"a live price_update of {update.get('symbol')} came before the snapshot of "
            f"{sorted(missing)}",
        )
        missing.discard(str(update.get("symbol")))
    return f"a snapshot-marked price_update of {symbols} right after subscribed"


CHECKS = (
    Check("subscribe-case", "subscribe: any case, echoed canonical", any_case),
    Check("subscribe-duplicates", "subscribe: duplicates collapse", duplicates),
    Check("subscribe-held", "subscribe: a symbol already held is not an error", already_held),
    Check("subscribe-atomic", "subscribe: all or nothing", all_or_nothing),
    Check("id-echo", "id echoed on subscribed, unsubscribed, pong, error", id_echo),
    Check("subscribe-snapshot", "subscribe: snapshot sends the latest prices first", snapshot),
)
