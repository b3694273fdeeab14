"""Unsubscribe semantics: listed symbols go, absent means all, and nothing leaks afterwards."""

from __future__ import annotations

import time

from chrono_sim.conformance.check import Check
from chrono_sim.conformance.context import Scope
from chrono_sim.conformance.probe import Probe
from chrono_sim.conformance.results import expect
from chrono_sim.conformance.settings import FLOWING
from chrono_sim.conformance.shapes import Message, describe_reply
from chrono_sim.errors import CheckFailed, CheckSkipped

UPDATES_BEFORE = 12  # prove the feed flows and measure its pace before unsubscribing
# How long to watch for leaks, in mean gaps between two updates of the dropped
# symbols together: a leaking server shows one within 5 gaps 99 % of the time.
WATCH_GAPS = 5
MIN_WATCH = 0.2
MAX_WATCH = 20.0


async def _request(probe: Probe, message: dict[str, object], expected: list[str]) -> Message:
    reply = await probe.request(message)
    expect(
        reply.get("type") == "unsubscribed"
        and sorted(reply.get("symbols") or []) == sorted(expected),
        f"{message}: {describe_reply(reply)}, expected unsubscribed {expected}",
    )
    return reply


async def _subscribe(probe: Probe, symbols: list[str]) -> None:
    reply = await probe.request({"type": "subscribe", "symbols": symbols})
    expect(
        reply.get("type") == "subscribed",
        f"subscribe {symbols}: {describe_reply(reply)}, expected subscribed",
    )


async def removes_listed(scope: Scope) -> str:
    first, second, third = scope.settings.symbols[:3]
    probe = await scope.open()
    await _subscribe(probe, [first, second])
    await _request(probe, {"type": "unsubscribe", "symbols": [first, third]}, [first])
    await _request(probe, {"type": "unsubscribe", "symbols": [second]}, [second])
    return f"[{first}, {third}] removed [{first}] ({third} not held); {second} still held"


async def removes_all(scope: Scope) -> str:
    symbols = list(scope.settings.symbols[:3])
    probe = await scope.open()
    await _subscribe(probe, symbols)
    await _request(probe, {"type": "unsubscribe"}, symbols)
    return f"unsubscribe without symbols removed {symbols}"


def _updates(messages: list[Message], symbols: set[str]) -> list[Message]:
    return [m for m in messages if m.get("type") == "price_update" and m.get("symbol") in symbols]


def _no_leak(heard: list[Message], dropped: set[str], after: str) -> None:
    leaked = _updates(heard, dropped)
    if leaked:
        first = leaked[0]
        raise CheckFailed(
            f"{len(leaked)} price_update of {sorted({str(m.get('symbol')) for m in leaked})} "
            f"after {after}, e.g. {first.get('symbol')} seq {first.get('seq')}"
        )


async def no_leak(scope: Scope) -> str:
    symbols = list(scope.settings.symbols[:FLOWING])
    dropped, kept = symbols[: FLOWING // 2], symbols[FLOWING // 2 :]
    probe = await scope.open()
    await _subscribe(probe, symbols)
    arrivals = []
    for _ in range(UPDATES_BEFORE):
        await probe.wait_for(lambda m: m.get("type") == "price_update", "a price_update")
        arrivals.append(time.monotonic())
    gap = (arrivals[-1] - arrivals[0]) / (len(arrivals) - 1)  # between any two updates

    def watch(watched: list[str]) -> float:
        """How long `watched` take to make WATCH_GAPS updates, at the pace measured."""
        return min(MAX_WATCH, max(MIN_WATCH, WATCH_GAPS * gap * len(symbols) / len(watched)))

    await _request(probe, {"type": "unsubscribe", "symbols": dropped}, dropped)
    probe.pending.clear()  # what came before the reply is not a leak
    heard = await probe.listen(watch(dropped))
    if not _updates(heard, set(kept)):
        try:
            heard.append(
                await probe.wait_for(
                    lambda m: m.get("type") == "price_update" and m.get("symbol") in kept,
                    f"a price_update of {kept}",
                )
            )
        except CheckFailed:
            raise CheckSkipped(
                f"no price_update of {kept} after unsubscribing {dropped}: the feed went quiet"
            ) from None
        heard += probe.pending
        probe.pending.clear()
    _no_leak(heard, set(dropped), f"unsubscribing {dropped}")

    await _request(probe, {"type": "unsubscribe", "symbols": kept}, kept)
    probe.pending.clear()
    _no_leak(await probe.listen(watch(symbols)), set(symbols), "unsubscribing every symbol")
    return (
        f"none of {dropped} for {watch(dropped):.1f} s while {kept} flowed; "
        f"none at all for {watch(symbols):.1f} s after removing those too"
    )


CHECKS = (
    Check("unsubscribe-listed", "unsubscribe: removes the listed symbols only", removes_listed),
    Check("unsubscribe-all", "unsubscribe without symbols: removes all", removes_all),
    Check(
        "unsubscribe-no-leak",
        "unsubscribe: no price_update afterwards",
        no_leak,
        long=True,
    ),
)
