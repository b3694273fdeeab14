"""Speed of `chrono generate`'s work: market model plus JSON lines writer (no thresholds here).

The issue's target is at least 500,000 updates/s to plain JSON lines. Run alone:
    pytest tests/benchmarks/test_generate.py --benchmark-only
and read `updates_per_second` in the extra info (`--benchmark-verbose`), or divide
the updates by the mean. The figure printed by `chrono generate` itself is the other
way to see it, e.g. `chrono generate --duration 24h --seed 42 -o day.jsonl`.
"""

from __future__ import annotations

import itertools
from pathlib import Path

from pytest_benchmark.fixture import BenchmarkFixture

from chrono_sim.datafiles import open_writer
from chrono_sim.market import MarketModel
from chrono_sim.protocol.catalog import DEFAULT_CATALOG

HOURS = 6  # ~86,000 updates of the 16 default symbols at the default 4 s interval
START_MS = 1_760_054_400_000


def _generate(path: Path) -> int:
    model = MarketModel(DEFAULT_CATALOG, seed=42, interval=4.0, start_ms=START_MS)
    with open_writer(path) as writer:
        for tape in model.run(HOURS * 3600):
            writer.write_tape(tape)
    return writer.written


def test_generate_six_hours_to_jsonl(benchmark: BenchmarkFixture, tmp_path: Path) -> None:
    names = (tmp_path / f"market{round_}.jsonl" for round_ in itertools.count())
    written = benchmark.pedantic(
        _generate, setup=lambda: ((next(names),), {}), rounds=3, warmup_rounds=1
    )
    _report(benchmark, written)
    assert written > 80_000


def test_model_alone_six_hours(benchmark: BenchmarkFixture) -> None:
    def run() -> int:
        model = MarketModel(DEFAULT_CATALOG, seed=42, interval=4.0, start_ms=START_MS)
        return sum(len(tape) for tape in model.run(HOURS * 3600))

    updates = benchmark.pedantic(run, rounds=3, warmup_rounds=1)
    _report(benchmark, updates)
    assert updates > 80_000


def _report(benchmark: BenchmarkFixture, updates: int) -> None:
    """Updates per second into the extra info (absent under --benchmark-disable)."""
    if benchmark.stats is not None:
        rate = updates / benchmark.stats.stats.mean
        benchmark.extra_info["updates_per_second"] = round(rate)
        print(f"\n{benchmark.name}: {updates:,} updates, {rate:,.0f} updates/s")
