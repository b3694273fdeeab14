"""Launch of `chrono tail --snapshot` to its first price on stdout, a whole process each round.

Run alone with: pytest tests/benchmarks/test_tail_startup.py --benchmark-only
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator

import pytest
from pytest_benchmark.fixture import BenchmarkFixture

LISTENING = re.compile(r"listening on ws://\S+:(\d+)/stream")


@pytest.fixture(scope="module")
def server_url() -> Iterator[str]:
    server = subprocess.Popen(
        [sys.executable, "-m", "chrono_cli", "serve", "--host", "127.0.0.1", "--port", "0"],
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert server.stderr is not None
    match = LISTENING.search(server.stderr.readline())
    assert match
    yield f"ws://127.0.0.1:{match.group(1)}/stream"
    server.terminate()
    server.wait(timeout=10)


def test_tail_launch_to_first_price(benchmark: BenchmarkFixture, server_url: str) -> None:
    command = [sys.executable, "-m", "chrono_cli", "tail", "BTC/USD", "--snapshot", "--count", "1"]
    command += ["--json", "--url", server_url]

    def launch() -> str:
        return subprocess.run(command, capture_output=True, text=True, check=True).stdout

    first = benchmark.pedantic(launch, rounds=5, warmup_rounds=1)
    assert '"snapshot":true' in first
