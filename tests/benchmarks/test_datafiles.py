"""Speed of writing and reading price data files, 100,000 updates a round (no thresholds here).

Run alone with: pytest tests/benchmarks/test_datafiles.py --benchmark-only
Updates/s = 100,000 / mean. Each round writes a new file: truncating the last
one would add the kernel's cost of dropping its pages to the measurement.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
from pytest_benchmark.fixture import BenchmarkFixture

from chrono_sim.datafiles import open_writer, read_tape
from chrono_sim.datafiles.tape import Tape

UPDATES = 100_000
SYMBOLS = ("BTC/USD", "ETH/USD", "SOL/USD", "XRP/USD", "DOGE/USD", "LINK/USD", "DOT/USD", "ADA/USD")
SOURCES = ("coinbase", "binance", "kraken", "bitstamp", "okx")


@pytest.fixture(scope="module")
def market() -> Tape:
    """A day-long tape shaped like generated data: rounded prices, two-decimal volumes."""
    rng = np.random.default_rng(11)
    symbol = rng.integers(0, len(SYMBOLS), UPDATES).astype(np.int32)
    reference = np.array([95_000, 3_400, 190, 2.35, 0.22, 17, 5.5, 0.75])
    decimals = np.array([2, 2, 3, 5, 6, 4, 4, 5])
    walk = reference[symbol] * np.exp(rng.normal(0, 0.01, UPDATES))
    price = np.round(walk * 10.0 ** decimals[symbol]) / 10.0 ** decimals[symbol]
    return Tape(
        SYMBOLS,
        SOURCES,
        1_760_000_000_000 + np.sort(rng.integers(0, 86_400_000, UPDATES)),
        symbol,
        rng.integers(0, len(SOURCES), UPDATES).astype(np.int32),
        price,
        np.round(rng.lognormal(8, 2, UPDATES), 2),
    )


def bench_write(benchmark: BenchmarkFixture, market: Tape, directory: Path, suffix: str) -> None:
    names = (directory / f"day{round_}{suffix}" for round_ in itertools.count())

    def target() -> tuple[tuple[Path], dict[str, object]]:
        path = next(names)
        path.unlink(missing_ok=True)
        return (path,), {}

    def write(path: Path) -> Path:
        with open_writer(path) as writer:
            writer.write_tape(market)
        return path

    path = benchmark.pedantic(write, setup=target, rounds=5, warmup_rounds=1)
    assert len(read_tape(path).tape) == UPDATES


def test_write_tape_jsonl(benchmark: BenchmarkFixture, market: Tape, tmp_path: Path) -> None:
    bench_write(benchmark, market, tmp_path, ".jsonl")


def test_write_tape_jsonl_gz(benchmark: BenchmarkFixture, market: Tape, tmp_path: Path) -> None:
    bench_write(benchmark, market, tmp_path, ".jsonl.gz")


def test_write_tape_csv(benchmark: BenchmarkFixture, market: Tape, tmp_path: Path) -> None:
    bench_write(benchmark, market, tmp_path, ".csv")


def test_read_tape_jsonl(benchmark: BenchmarkFixture, market: Tape, tmp_path: Path) -> None:
    path = tmp_path / "day.jsonl"
    with open_writer(path) as writer:
        writer.write_tape(market)
    read = benchmark(read_tape, path)
    assert len(read.tape) == UPDATES
    assert np.array_equal(read.tape.price, market.price)
