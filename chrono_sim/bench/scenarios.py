"""Each metric of `chrono bench` as a function: start the processes, measure, return figures.

Throughput and latency are counted at the clients. Rates are *offered*
(what the schedule asks for, in messages per second over all clients) and
*delivered* (what the clients received); when a server cannot keep up, its
feed falls behind the schedule and the delivered rate is its capacity.
"""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass
from subprocess import DEVNULL, PIPE

import numpy as np

from chrono_sim.bench.metronome import Schedule
from chrono_sim.bench.processes import (
    BENCH_KEY,
    LoadProcess,
    LoadResult,
    LoadSpec,
    LoopKind,
    ServerKind,
    ServerSpec,
    cpu_seconds,
    rss_bytes,
    running_server,
)
from chrono_sim.protocol.catalog import DOCUMENTED_SYMBOLS

SYMBOLS = DOCUMENTED_SYMBOLS
SYMBOLS_PER_CLIENT = 10
SERVER_CPU, LOAD_CPU = 0, 1
# fd limits: each load process holds at most this many connections.
CONNECTIONS_PER_LOAD_PROCESS = 10_000


@dataclass(frozen=True, slots=True)
class Run:
    """How every scenario runs: the event loop, the measured window and the warm-up."""

    loop: LoopKind
    seconds: float = 5.0
    warmup: float = 2.0
    host: str = "127.0.0.1"  # where each phase's server binds
    port: int = 0  # 0: a free one


@dataclass(frozen=True, slots=True)
class Delivery:
    """What the clients of one phase received, and what it cost the server."""

    server: ServerKind
    clients: int
    offered: float  # messages per second the schedule asked for
    delivered: float  # messages per second the clients received
    server_cpu: float  # fraction of one core
    server_rss_growth: int  # bytes, over the measured window
    latency_ms: dict[str, float]  # p50, p99, p99.9 (latency phases only)
    gaps: int


@dataclass(frozen=True, slots=True)
class Footprint:
    """Server memory for many idle-ish subscribed connections."""

    connections: int
    rss_before: int
    rss_after: int

    @property
    def per_connection(self) -> float:
        return (self.rss_after - self.rss_before) / self.connections


def delivery(
    run: Run,
    *,
    server: ServerKind,
    offered: float,
    clients: int = 200,
    latency: bool = False,
    stalled: int = 0,
) -> Delivery:
    """`clients` clients, each on 10 of the 12 symbols, at `offered` messages/s in all."""
    per_symbol = offered / (clients * SYMBOLS_PER_CLIENT)
    schedule = _schedule(per_symbol * len(SYMBOLS), run.warmup + 1.0)
    subscriptions = [
        [SYMBOLS[(client + k) % len(SYMBOLS)] for k in range(SYMBOLS_PER_CLIENT)]
        for client in range(clients)
    ]
    with running_server(_server_spec(run, server, schedule)) as (pid, port):
        url = client_url(run.host, port)
        spec = LoadSpec(url, subscriptions, latency, schedule, run.loop, LOAD_CPU, stalled)
        (result,), cpu, growth = _measure([spec], pid, run, schedule)
    return Delivery(
        server=server,
        clients=clients,
        offered=offered,
        delivered=result.messages / result.seconds,
        server_cpu=cpu,
        server_rss_growth=growth,
        latency_ms=_percentiles(result.latencies) if latency else {},
        gaps=result.gaps,
    )


def footprint(run: Run, connections: int) -> Footprint:
    """Server memory before and after `connections` clients subscribe, one update/s each."""
    schedule = _schedule(float(len(SYMBOLS)), 0.5)  # each symbol once a second
    with running_server(_server_spec(run, "chrono", schedule)) as (pid, port):
        time.sleep(1.0)
        before = rss_bytes(pid)
        specs = []
        for offset in range(0, connections, CONNECTIONS_PER_LOAD_PROCESS):
            count = min(CONNECTIONS_PER_LOAD_PROCESS, connections - offset)
            subscriptions = [[SYMBOLS[(offset + n) % len(SYMBOLS)]] for n in range(count)]
            url = client_url(run.host, port)
            specs.append(LoadSpec(url, subscriptions, False, schedule, run.loop, LOAD_CPU))
        _measure(specs, pid, run, schedule)
        after = rss_bytes(pid)
    return Footprint(connections, before, after)


def tail_startup(rounds: int = 5, *, host: str = "127.0.0.1", port: int = 0) -> float:
    """Median seconds from launching `chrono tail --snapshot` to its first price on stdout."""
    schedule = _schedule(float(len(SYMBOLS)), 0.0)
    spec = ServerSpec("chrono", schedule, "asyncio", SERVER_CPU, host, port)
    with running_server(spec) as (_, bound):
        time.sleep(1.5)  # so there is a price to snapshot
        command = [sys.executable, "-m", "chrono_cli", "tail", "BTC/USD", "--snapshot"]
        url = client_url(host, bound)
        command += ["--count", "1", "--json", "--url", url, "--api-key", BENCH_KEY]
        times = []
        for _ in range(rounds + 1):  # the first round warms the file cache
            started = time.perf_counter()
            with subprocess.Popen(command, stdout=PIPE, stderr=DEVNULL) as tail:
                assert tail.stdout is not None
                if not tail.stdout.readline():
                    raise RuntimeError("chrono tail printed no price")
                times.append(time.perf_counter() - started)
    return float(np.median(times[1:]))


def _measure(
    specs: list[LoadSpec], pid: int, run: Run, schedule: Schedule
) -> tuple[list[LoadResult], float, int]:
    loads = [LoadProcess(spec) for spec in specs]
    try:
        for load in loads:
            load.wait_ready(120)
        # Measure from the warm-up's end, or at once if the schedule began long ago.
        time.sleep(max(0.0, schedule.start + run.warmup - time.time()))
        rss, cpu = rss_bytes(pid), cpu_seconds(pid)
        started = time.perf_counter()
        for load in loads:
            load.start()
        time.sleep(run.seconds)
        results = [load.stop() for load in loads]
        elapsed = time.perf_counter() - started
        return results, (cpu_seconds(pid) - cpu) / elapsed, rss_bytes(pid) - rss
    finally:
        for load in loads:
            load.close()


def _schedule(updates_per_second: float, starts_in: float) -> Schedule:
    return Schedule(time.time() + starts_in, updates_per_second, SYMBOLS)


def _server_spec(run: Run, kind: ServerKind, schedule: Schedule) -> ServerSpec:
    return ServerSpec(kind, schedule, run.loop, SERVER_CPU, run.host, run.port)


def client_url(host: str, port: int) -> str:
    """Where the clients reach a server bound to `host`: a wildcard address on loopback."""
    connect = _LOOPBACK.get(host, host)
    return f"ws://[{connect}]:{port}/stream" if ":" in connect else f"ws://{connect}:{port}/stream"


_LOOPBACK = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "localhost": "127.0.0.1", "::": "::1"}


def _percentiles(latencies: np.ndarray) -> dict[str, float]:
    if not len(latencies):
        return {}
    values = np.percentile(latencies * 1000, [50, 99, 99.9])
    return {"p50": float(values[0]), "p99": float(values[1]), "p99.9": float(values[2])}
