"""`chrono tail`'s counts of each fault equal what a fault-injecting server says it injected.

The server (`ServerConfig.faults`) counts every fault it injects in
`ChronoServer.fault_counts`; `chrono tail --json` names each one it observes on
stderr and sums them up when it ends. The feed is one symbol on a fixed period
that starts with the subscription, so with a fixed seed the same updates are
hit on every run.

A client cannot see a fault at the very end of a feed (a last update dropped,
or held for a swap that never comes): each test checks that its seed's last
update got through, so that every fault injected is one tail could see.
"""

from __future__ import annotations

import json
import re
import signal
from collections import Counter

from chrono_sim.faults.plan import Delay, FaultPlan, Stall
from chrono_sim.protocol.catalog import DEFAULT_CATALOG
from chrono_sim.protocol.clock import Clock, SystemClock
from chrono_sim.protocol.quote import Quote
from chrono_sim.server import ChronoServer
from tests.support.processes import Cli, eventually, start_cli
from tests.support.servers import StartServer

SYMBOL = "BTC/USD"
SUMMARY = re.compile(
    r"chrono tail: summary: (?P<updates>[\d,]+) updates?; "
    r"missed (?P<missed>\d+)(?: \((?P<away>\d+) while reconnecting\))?, "
    r"duplicates (?P<duplicate>\d+), out of order (?P<reorder>\d+), (?:resets (?P<reset>\d+), )?"
    r"late (?P<late>\d+), stalls (?P<stall>\d+), "
    r"disconnects (?P<disconnect>\d+)(?: \((?P<codes>.*)\))?"
)


class Ticks:
    """`count` updates of one symbol, one every `period` seconds from the first subscription."""

    client_paced = False
    waits_for_subscriber = True

    def __init__(self, period: float, count: int, clock: Clock | None = None) -> None:
        self.catalog = DEFAULT_CATALOG.select((SYMBOL,))
        self.count = count
        self._period = period
        self._left = count
        self._clock = clock or SystemClock()
        self._next: float | None = None

    def next_due(self) -> float | None:
        if not self._left:
            return None
        if self._next is None:
            self._next = self._clock.monotonic()
        return self._next

    def pop_due(self, now: float) -> list[Quote]:
        quotes = []
        while self._left and self._next is not None and self._next <= now:
            due = self._clock.time() - (now - self._next)  # stamped when it was due
            quotes.append(Quote(SYMBOL, 95_000.0 + self._left, 1.0, "test", due))
            self._next += self._period
            self._left -= 1
        return quotes


async def faulty_server(
    start_server: StartServer, ticks: Ticks, plan: FaultPlan, seed: int
) -> ChronoServer:
    return await start_server(source=ticks, faults=plan, seed=seed)


async def tail(server: ChronoServer, processes: list[Cli], *args: str) -> Cli:
    url = f"ws://127.0.0.1:{server.port}/stream"
    cli = await start_cli("tail", SYMBOL, "--json", "--url", url, *args)
    processes.append(cli)
    return cli


async def stop(cli: Cli) -> dict[str, str | None]:
    """Ctrl-C `cli`; the counts of its summary line."""
    cli.process.send_signal(signal.SIGINT)
    assert await cli.finish() == 0
    match = SUMMARY.fullmatch(cli.stderr[-1])
    assert match is not None, cli.stderr[-3:]
    return match.groupdict()


def seqs(cli: Cli) -> list[int]:
    return [json.loads(line)["seq"] for line in cli.stdout]


async def run_to_the_end(server: ChronoServer, ticks: Ticks, cli: Cli) -> None:
    """Wait until the whole feed is published and every update sent has reached `cli`."""
    try:
        await eventually(lambda: server.hub.published == ticks.count, within=30)
        counts = server.fault_counts
        sent = ticks.count - counts["drop"] + counts["duplicate"]
        # The seed's last update must get through (see the module's docstring).
        await eventually(lambda: ticks.count in seqs(cli), within=15)
        await eventually(lambda: len(cli.stdout) == sent, within=15)
    except AssertionError:
        published, received = server.hub.published, len(cli.stdout)
        raise AssertionError(
            f"published {published}, received {received}, injected {dict(server.fault_counts)}, "
            f"tail said {cli.stderr[-3:]}"
        ) from None


async def test_drops_duplicates_and_swaps_are_each_counted_as_injected(
    start_server: StartServer, processes: list[Cli]
) -> None:
    ticks = Ticks(period=0.005, count=400)
    plan = FaultPlan(drop=0.05, duplicate=0.05, reorder=0.05)
    server = await faulty_server(start_server, ticks, plan, seed=11)
    cli = await tail(server, processes, "--late-after", "1h")
    await run_to_the_end(server, ticks, cli)
    summary = await stop(cli)
    injected = server.fault_counts
    assert min(injected["drop"], injected["duplicate"], injected["reorder"]) > 5
    assert summary["updates"] == str(len(cli.stdout))
    assert summary["missed"] == str(injected["drop"])
    assert summary["duplicate"] == str(injected["duplicate"])
    assert summary["reorder"] == str(injected["reorder"])
    assert summary["reset"] is None
    assert (
        len([line for line in cli.stderr if line.startswith("chrono tail: duplicate: ")])
        == (injected["duplicate"])
    )


async def test_each_delayed_update_is_counted_late(
    start_server: StartServer, processes: list[Cli]
) -> None:
    # A period longer than the longest delay: no update waits behind a delayed one (it
    # would count as delayed, but might arrive under the threshold), and 300 ms of
    # margin on either side of the threshold for a busy machine.
    ticks = Ticks(period=1.0, count=8)
    plan = FaultPlan(delay=Delay(probability=0.5, minimum=0.6, maximum=0.65))
    server = await faulty_server(start_server, ticks, plan, seed=5)
    cli = await tail(server, processes, "--late-after", "300ms")
    await run_to_the_end(server, ticks, cli)
    summary = await stop(cli)
    assert 0 < server.fault_counts["delay"] < ticks.count
    assert summary["late"] == str(server.fault_counts["delay"])
    assert summary["missed"] == summary["duplicate"] == summary["reorder"] == "0"


async def test_a_stall_is_counted_once(start_server: StartServer, processes: list[Cli]) -> None:
    ticks = Ticks(period=0.05, count=60)
    plan = FaultPlan(stall=Stall(duration=1.5, offset=0.5))
    server = await faulty_server(start_server, ticks, plan, seed=1)
    cli = await tail(server, processes, "--stall-after", "1s")
    await run_to_the_end(server, ticks, cli)
    summary = await stop(cli)
    assert server.fault_counts["stall"] == 1
    assert summary["stall"] == "1"
    assert int(summary["late"] or 0) > 0  # the burst after the silence
    assert summary["missed"] == "0"


async def test_injected_disconnects_show_as_1006_and_tail_reconnects(
    start_server: StartServer, processes: list[Cli]
) -> None:
    ticks = Ticks(period=0.05, count=100_000)
    plan = FaultPlan(disconnect_every=2.0)
    server = await faulty_server(start_server, ticks, plan, seed=1)
    cli = await tail(server, processes)

    def said(prefix: str) -> int:
        return sum(line.startswith(f"chrono tail: {prefix}") for line in cli.stderr)

    # Stop just after the third connection opened: the next drop is two seconds away.
    await eventually(lambda: said("subscribed to ") == 3, within=30)
    summary = await stop(cli)
    assert said("disconnected: closed 1006") == 2
    assert server.fault_counts["disconnect"] == 2
    assert summary["disconnect"] == "2"
    assert summary["codes"] == "1006 x2"
    injected = Counter({kind: n for kind, n in server.fault_counts.items() if n})
    assert injected == Counter(disconnect=2)
    # Nothing was dropped: whatever tail missed went out while it reconnected.
    assert summary["missed"] == (summary["away"] or "0")
