"""`chrono generate` as a user runs it: files written fast, reproducibly, errors in one line."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from chrono_sim.datafiles import read_tape
from tests.support.processes import run_cli


def test_the_same_seed_writes_byte_identical_files(tmp_path: Path) -> None:
    first, second = tmp_path / "a.jsonl.gz", tmp_path / "b.jsonl.gz"
    for path in (first, second):
        assert (
            run_cli("generate", "--duration", "10m", "--seed", "42", "-o", str(path)).returncode
            == 0
        )
    assert first.read_bytes() == second.read_bytes()


def test_another_seed_writes_another_market(tmp_path: Path) -> None:
    paths = [tmp_path / f"{seed}.jsonl" for seed in (1, 2)]
    for seed, path in zip((1, 2), paths, strict=True):
        run_cli("generate", "--duration", "2m", "--seed", str(seed), "-o", str(path))
    assert paths[0].read_bytes() != paths[1].read_bytes()


def test_lines_are_price_updates_as_on_the_wire(tmp_path: Path) -> None:
    path = tmp_path / "day.jsonl"
    run_cli(
        "generate",
        "--duration",
        "90s",
        "--seed",
        "3",
        "--symbols",
        "BTC/USD,eth/usd",
        "-o",
        str(path),
    )
    updates = [json.loads(line) for line in path.read_text().splitlines()]
    assert {update["symbol"] for update in updates} == {"BTC/USD", "ETH/USD"}
    assert set(updates[0]) == {"type", "symbol", "price", "volume", "timestamp", "source", "seq"}
    assert updates[0]["timestamp"] == "2025-10-10T00:00:00.000Z"
    btc = [update["seq"] for update in updates if update["symbol"] == "BTC/USD"]
    assert btc == list(range(1, len(btc) + 1))


def test_the_duration_covers_the_market_time_asked_for(tmp_path: Path) -> None:
    path = tmp_path / "hour.csv.gz"
    run_cli("generate", "--duration", "1h", "--interval", "10", "--seed", "1", "-o", str(path))
    tape = read_tape(path).tape
    span_ms = int(tape.time_ms[-1] - tape.time_ms[0])
    assert 3_590_000 < span_ms < 3_600_000
    with gzip.open(path, "rt") as text:
        assert text.readline().strip() == "timestamp,symbol,price,volume,source"


def test_a_universe_adds_made_up_symbols(tmp_path: Path) -> None:
    path = tmp_path / "wide.jsonl"
    result = run_cli("generate", "--duration", "30s", "--universe", "25", "-o", str(path))
    assert result.returncode == 0, result.stderr
    assert len(read_tape(path).tape.symbols) == 16 + 25


def test_the_summary_reports_updates_and_rate(tmp_path: Path) -> None:
    result = run_cli(
        "generate", "--duration", "10m", "--seed", "9", "-o", str(tmp_path / "x.jsonl")
    )
    assert result.stdout == ""
    assert "updates of 16 symbols" in result.stderr
    assert "seed 9" in result.stderr
    assert "updates/s" in result.stderr


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--duration", "soon"], 2, "'soon' is not a duration"),
        (["--symbols", "BTC/USD,NOPE/USD"], 3, "unknown symbol NOPE/USD"),
        (["--start", "yesterday"], 3, "--start 'yesterday' is not an ISO 8601 time"),
        (["--interval", "0"], 2, "must be at least 1ms"),
        # An empty file would be refused by `serve --replay`: refused here, at once.
        (["--duration", "0"], 2, "Invalid value for '--duration': must be more than 0"),
        (["--duration", "0s"], 2, "Invalid value for '--duration': must be more than 0"),
        (["--seed", "-1"], 2, "Invalid value for '--seed': must be at least 0, not -1"),
    ],
)
def test_bad_options_are_one_line_errors(
    tmp_path: Path, args: list[str], code: int, message: str
) -> None:
    result = run_cli("generate", "-o", str(tmp_path / "x.jsonl"), *args)
    assert result.returncode == code
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "x.jsonl").exists()


def test_the_shortest_duration_still_writes_a_replayable_file(tmp_path: Path) -> None:
    path = tmp_path / "blink.jsonl"
    result = run_cli("generate", "--duration", "0.001", "--symbols", "BTC/USD", "-o", str(path))
    assert result.returncode == 0, result.stderr
    assert len(read_tape(path).tape) == 1  # the opening price: `serve --replay` has a tape


def test_an_unknown_extension_is_refused(tmp_path: Path) -> None:
    result = run_cli("generate", "-o", str(tmp_path / "market.parquet"))
    assert result.returncode == 3
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith(f"chrono generate: error: {tmp_path / 'market.parquet'}: ")
    assert ".jsonl" in result.stderr


def test_an_unwritable_place_is_refused_naming_the_users_file(tmp_path: Path) -> None:
    target = tmp_path / "missing" / "x.jsonl"
    result = run_cli("generate", "-o", str(target))
    assert result.returncode == 3
    assert result.stderr.startswith(f"chrono generate: error: {target}: cannot create")
    assert len(result.stderr.strip().splitlines()) == 1


def test_sigterm_leaves_no_partial_file(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "chrono_cli", "generate", "--duration", "30d", "-o",
         str(tmp_path / "month.jsonl")],
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 15
    while not list(tmp_path.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.02)
    process.terminate()
    _, stderr = process.communicate(timeout=15)
    assert process.returncode == 130
    assert "interrupted" in stderr
    assert list(tmp_path.iterdir()) == []


def test_no_partial_file_is_left_behind(tmp_path: Path) -> None:
    run_cli("generate", "--duration", "1m", "-o", str(tmp_path / "x.jsonl.gz"))
    assert [path.name for path in tmp_path.iterdir()] == ["x.jsonl.gz"]
