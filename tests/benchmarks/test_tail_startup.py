"""Launch of `chrono tail BTC/USD --snapshot` to its first price shown, a whole process each round.

Run alone with: pytest tests/benchmarks/test_tail_startup.py --benchmark-only
(add -s for the one-line summary of each). The target is 150 ms on the 2-core
development machine.

Timed: from starting the process to the first price on its stdout, in a pipe
(`--json`, the first JSON line) and in a terminal (a pseudo-terminal: the live
table, until its row shows a price). The processes get a bytecode cache of
their own, as an installed package has (pip compiles one), so the figures do
not depend on PYTHONDONTWRITEBYTECODE; the warm-up round fills it.
"""

from __future__ import annotations

import os
import pty
import re
import select
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
from pytest_benchmark.fixture import BenchmarkFixture

LISTENING = re.compile(r"listening on ws://\S+:(\d+)/stream")
# The BTC/USD row once it has a price (bold or colour codes may sit between the cells).
PRICE_ROW = re.compile(rb"BTC/USD\S*\s*(?:\x1b\[[0-9;]*m\s*)*[0-9][0-9,]*\.[0-9]")
ROUNDS = 11
# Lifts the development key's rate limit, which a benchmark's many connections reach.
KEYS = """
[[key]]
key = "chrono_public_dev_key_001"
name = "Benchmark"
max_connections = 100
rate_limit_per_minute = 100000
"""


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    keys = tmp_path_factory.mktemp("keys") / "keys.toml"
    keys.write_text(KEYS)
    server = subprocess.Popen(
        [sys.executable, "-m", "chrono_cli", "serve", "--host", "127.0.0.1", "--port", "0",
         "--keys", str(keys)],
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert server.stderr is not None
    match = LISTENING.search(server.stderr.readline())
    assert match
    yield f"ws://127.0.0.1:{match.group(1)}/stream"
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture(scope="module")
def launch_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(tmp_path_factory.mktemp("pycache"))
    return env


def tail_command(url: str, *options: str) -> list[str]:
    tail = ["tail", "BTC/USD", "--snapshot", "--url", url, *options]
    return [sys.executable, "-m", "chrono_cli", *tail]


def report(benchmark: BenchmarkFixture, what: str) -> None:
    if benchmark.stats is None:  # benchmarks disabled (a plain pytest run)
        return
    times = sorted(benchmark.stats.stats.data)
    median, fastest = statistics.median(times) * 1000, times[0] * 1000
    benchmark.extra_info["median_ms"] = round(median, 1)
    print(f"\nchrono tail --snapshot, launch to first price, {what}: "
          f"median {median:.0f} ms, min {fastest:.0f} ms ({len(times)} launches)")  # fmt: skip


def test_tail_launch_to_first_price_in_a_pipe(
    benchmark: BenchmarkFixture, server_url: str, launch_env: dict[str, str]
) -> None:
    command = tail_command(server_url, "--count", "1", "--json")
    started: list[subprocess.Popen[str]] = []

    def launch() -> str:
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=launch_env
        )
        started.append(process)
        assert process.stdout is not None
        return process.stdout.readline()  # the clock stops here, not when the process ends

    def finish_previous() -> None:  # between rounds, untimed: no launch competes with another
        if started:
            started[-1].wait(timeout=10)

    try:
        first = benchmark.pedantic(launch, setup=finish_previous, rounds=ROUNDS, warmup_rounds=1)
    finally:
        codes = [process.wait(timeout=10) for process in started]
        for process in started:
            assert process.stdout is not None
            process.stdout.close()
    assert '"snapshot":true' in first
    assert set(codes) == {0}
    report(benchmark, "pipe")


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_tail_launch_to_first_price_in_a_terminal(
    benchmark: BenchmarkFixture, server_url: str, launch_env: dict[str, str]
) -> None:
    command = tail_command(server_url)  # no --count: the live table, as people watch it
    env = {**launch_env, "COLUMNS": "100", "LINES": "20", "TERM": "xterm-256color"}
    started: list[tuple[subprocess.Popen[bytes], int]] = []
    codes: list[int] = []

    def launch() -> None:
        controller, terminal = pty.openpty()
        process = subprocess.Popen(
            command, stdin=terminal, stdout=terminal, stderr=terminal, env=env
        )
        started.append((process, controller))
        os.close(terminal)
        screen = b""
        while not PRICE_ROW.search(screen):
            assert select.select([controller], [], [], 10)[0], "no price on the screen"
            screen += os.read(controller, 65536)

    def stop_previous() -> None:  # between rounds, untimed: Ctrl-C, tail's normal way out
        while started:
            codes.append(_interrupt(*started.pop()))

    try:
        benchmark.pedantic(launch, setup=stop_previous, rounds=ROUNDS, warmup_rounds=1)
    finally:
        stop_previous()
    assert set(codes) == {0}
    report(benchmark, "terminal")


def _interrupt(process: subprocess.Popen[bytes], controller: int) -> int:
    """Ctrl-C `process` and wait for it, reading its terminal so it never blocks on a full one."""
    process.send_signal(signal.SIGINT)
    deadline = time.monotonic() + 10
    while process.poll() is None and time.monotonic() < deadline:
        if select.select([controller], [], [], 0.05)[0]:
            try:
                os.read(controller, 65536)
            except OSError:  # the terminal's last user is gone (Linux)
                break
    os.close(controller)
    return process.wait(timeout=10)
