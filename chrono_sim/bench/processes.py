"""The bench's processes: one server, one or more load generators, each pinned to its own core.

They run under the `spawn` start method, so each is a fresh interpreter
that shares nothing with the parent but its arguments, and talk to the
parent over a pipe in a few small messages: the server's port; a load
generator's "ready", then its tally between "start" and "stop".
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import multiprocessing
import os
import signal
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Literal

import numpy as np
from websockets.uri import parse_uri

from chrono_sim.bench.baseline import BaselineServer
from chrono_sim.bench.loadclient import BenchClient, CountingSink, LatencySink, Tally
from chrono_sim.bench.metronome import MetronomeSource, Schedule
from chrono_sim.failures import cannot_listen, describe_os_error
from chrono_sim.protocol.catalog import DEFAULT_CATALOG
from chrono_sim.protocol.clock import SystemClock
from chrono_sim.protocol.keys import ApiKey, KeyStore
from chrono_sim.server.app import ChronoServer
from chrono_sim.server.config import ServerConfig

try:
    import uvloop
except ImportError:  # not on Windows
    uvloop = None  # type: ignore[assignment]

BENCH_KEY = "chrono_bench_key_0000000000001"
LoopKind = Literal["uvloop", "asyncio"]
ServerKind = Literal["chrono", "baseline"]

_spawn = multiprocessing.get_context("spawn")


@dataclass(frozen=True, slots=True)
class ServerSpec:
    kind: ServerKind
    schedule: Schedule
    loop: LoopKind
    cpu: int | None
    host: str = "127.0.0.1"  # where the server under test binds
    port: int = 0  # 0: a free one


@dataclass(frozen=True, slots=True)
class LoadSpec:
    url: str
    subscriptions: list[list[str]]  # one client per entry
    latency: bool  # time each update (else count markers only)
    schedule: Schedule
    loop: LoopKind
    cpu: int | None
    stalled: int = 0  # this many more clients subscribe to everything, then stop reading


@dataclass(frozen=True, slots=True)
class LoadResult:
    messages: int
    seconds: float
    gaps: int
    latencies: np.ndarray  # seconds; empty unless the spec asked for latency


def bench_keys() -> KeyStore:
    """One key without practical limits: the bench measures fan-out, not admission."""
    return KeyStore(
        [ApiKey(key=BENCH_KEY, name="bench", max_connections=1_000_000,
                rate_limit_per_minute=1_000_000_000)]
    )  # fmt: skip


def loop_kinds() -> tuple[LoopKind, ...]:
    """The event loops available here, the faster first."""
    return ("asyncio",) if uvloop is None else ("uvloop", "asyncio")


# --- parent side ----------------------------------------------------------------


@contextlib.contextmanager
def running_server(spec: ServerSpec) -> Iterator[tuple[int, int]]:
    """Start a server process; yields (its pid, its port) and stops it afterwards."""
    parent, child = _spawn.Pipe()
    process = _spawn.Process(target=_server_main, args=(spec, child), daemon=True)
    process.start()
    try:
        if not parent.poll(30):
            raise RuntimeError("the bench server did not start within 30 s")
        port: int | str = parent.recv()
        if isinstance(port, str):
            address = f"{spec.host}:{spec.port}"
            raise RuntimeError(f"the bench server {cannot_listen(address, port)}")
        assert process.pid is not None
        yield process.pid, port
    finally:
        _stop(process)


class LoadProcess:
    """A load generator process, driven phase by phase."""

    def __init__(self, spec: LoadSpec) -> None:
        self._pipe, child = _spawn.Pipe()
        self._process: BaseProcess = _spawn.Process(
            target=_load_main, args=(spec, child), daemon=True
        )
        self._process.start()

    def wait_ready(self, timeout: float) -> None:
        if not self._pipe.poll(timeout):
            raise RuntimeError(f"load clients not subscribed after {timeout:.0f} s")
        message = self._pipe.recv()
        if message != "ready":
            raise RuntimeError(f"load clients failed: {message}")

    def start(self) -> None:
        self._pipe.send("start")

    def stop(self) -> LoadResult:
        self._pipe.send("stop")
        if not self._pipe.poll(60):
            raise RuntimeError("load clients did not report")
        result: LoadResult = self._pipe.recv()
        return result

    def close(self) -> None:
        _stop(self._process)


def rss_bytes(pid: int) -> int:
    """Resident memory of process `pid` (Linux)."""
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time process `pid` has used (Linux)."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _stop(process: BaseProcess) -> None:
    if process.is_alive():
        process.terminate()
    process.join(10)
    if process.is_alive():
        process.kill()
        process.join()


# --- child side -----------------------------------------------------------------


def _enter(cpu: int | None, loop: LoopKind, main: Callable[[], Awaitable[None]]) -> None:
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    if cpu is not None:
        os.sched_setaffinity(0, {cpu})
    factory: Callable[[], asyncio.AbstractEventLoop] | None = None
    if loop == "uvloop" and uvloop is not None:
        factory = uvloop.new_event_loop
    with asyncio.Runner(loop_factory=factory) as runner:
        runner.run(main())  # type: ignore[arg-type]


def _server_main(spec: ServerSpec, pipe: Connection) -> None:
    _enter(spec.cpu, spec.loop, lambda: _serve(spec, pipe))


async def _serve(spec: ServerSpec, pipe: Connection) -> None:
    try:
        if spec.kind == "baseline":
            baseline = BaselineServer(spec.schedule)
            pipe.send(await baseline.start(spec.host, spec.port))
        else:
            # Keepalive pings off: the bench clients do not answer them.
            config = ServerConfig(
                host=spec.host, port=spec.port, keys=bench_keys(), ping_interval=3600
            )
            source = MetronomeSource(DEFAULT_CATALOG, spec.schedule, SystemClock())
            server = ChronoServer(config, source=source)
            await server.start()
            pipe.send(server.port)
    except OSError as exc:  # the port taken, the address not here: the parent says so
        pipe.send(describe_os_error(exc))
        return
    await asyncio.Event().wait()  # until SIGTERM


def _load_main(spec: LoadSpec, pipe: Connection) -> None:
    _enter(spec.cpu, spec.loop, lambda: _load(spec, pipe))


async def _load(spec: LoadSpec, pipe: Connection) -> None:
    loop = asyncio.get_running_loop()
    tally = Tally()
    sinks = LatencySink(tally, spec.schedule) if spec.latency else CountingSink(tally)
    wanted = [(symbols, False) for symbols in spec.subscriptions]
    wanted += [(list(spec.schedule.symbols[:10]), True)] * spec.stalled
    clients: list[BenchClient] = []
    address = parse_uri(spec.url)

    def client(number: int, symbols: list[str], stall: bool) -> BenchClient:
        # A stalled client counts into a tally of its own, left out of the result.
        sink = CountingSink(Tally()).for_connection(0) if stall else sinks.for_connection(number)
        return BenchClient(spec.url, BENCH_KEY, symbols, sink, stall=stall)

    try:
        for offset in range(0, len(wanted), 500):  # in batches, so the accept queue keeps up
            batch = []
            for number, (symbols, stall) in enumerate(wanted[offset : offset + 500], offset):
                _, opened = await loop.create_connection(
                    functools.partial(client, number, symbols, stall), address.host, address.port
                )
                batch.append(opened)
            await asyncio.gather(*(opened.subscribed for opened in batch))
            clients.extend(batch)
    except Exception as exc:  # reported to the parent, which names it in one line
        pipe.send(f"{type(exc).__name__}: {exc}")
        return
    pipe.send("ready")
    # A thread waits on the pipe: an event-loop reader would make it non-blocking,
    # and then sending the (large) result could fail half-way.
    await asyncio.to_thread(pipe.recv)  # start
    sinks.reset()
    started = loop.time()
    await asyncio.to_thread(pipe.recv)  # stop
    seconds = loop.time() - started
    for opened in clients:
        opened.close()
    sinks.settle()
    latencies = np.asarray(tally.latencies, dtype=np.float64)
    pipe.send(LoadResult(tally.messages, seconds, tally.gaps, latencies))
