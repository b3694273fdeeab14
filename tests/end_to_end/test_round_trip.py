"""Generate, replay, record: what comes back is what was generated, update for update."""

from __future__ import annotations

import json
import signal
from pathlib import Path

import pytest

from chrono_sim.datafiles import read_tape
from chrono_sim.datafiles.tape import Tape
from tests.support.processes import Cli, eventually, run_cli, start_cli

SYMBOLS = ("BTC/USD", "ETH/USD", "SOL/USD")


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Ten minutes of three symbols, about 1,800 updates."""
    path = tmp_path_factory.mktemp("generated") / "market.jsonl"
    result = run_cli(
        "generate", "--duration", "10m", "--interval", "1", "--seed", "5",
        "--symbols", ",".join(SYMBOLS), "-o", str(path),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return path


async def _replay_and_record(
    processes: list[Cli], generated: Path, recorded: Path, *serve_args: str
) -> Cli:
    serve = await start_cli("serve", "--port", "0", "--replay", str(generated), *serve_args)
    processes.append(serve)
    port = await serve.port()
    lines = _line_count(generated)
    record = await start_cli(
        "record", *SYMBOLS, "-o", str(recorded), "--count", str(lines),
        "--url", f"ws://127.0.0.1:{port}/stream",
    )  # fmt: skip
    processes.append(record)
    assert await record.finish(within=60) == 0, record.stderr
    return record


async def test_a_max_speed_replay_records_byte_for_byte_what_was_generated(
    processes: list[Cli], generated: Path, tmp_path: Path
) -> None:
    recorded = tmp_path / "recorded.jsonl"
    await _replay_and_record(processes, generated, recorded, "--speed", "max", "--keep-timestamps")
    assert _same_bytes(recorded, generated)


async def test_a_rebased_replay_records_the_same_updates_stamped_now(
    processes: list[Cli], generated: Path, tmp_path: Path
) -> None:
    recorded = tmp_path / "recorded.jsonl.gz"
    await _replay_and_record(processes, generated, recorded, "--speed", "2000")
    original, replayed = read_tape(generated).tape, read_tape(recorded).tape
    assert _rows(replayed) == _rows(original)
    assert replayed.time_ms[0] > original.time_ms[-1]  # rebased to now, well after 2025


def _line_count(path: Path) -> int:
    return len(path.read_text().splitlines())


def _same_bytes(first: Path, second: Path) -> bool:
    return first.read_bytes() == second.read_bytes()


def _rows(tape: Tape) -> list[tuple[str, str, float, float | None]]:
    """Each update without its timestamp."""
    return [(q.symbol, q.exchange, q.price, q.volume) for q in tape.quotes()]


async def test_ctrl_c_leaves_a_complete_readable_recording(
    processes: list[Cli], tmp_path: Path
) -> None:
    serve = await start_cli("serve", "--port", "0", "--interval", "0.05", "--seed", "1")
    processes.append(serve)
    port = await serve.port()
    recorded = tmp_path / "capture.jsonl.gz"
    record = await start_cli(
        "record", "BTC/USD", "ETH/USD", "-o", str(recorded),
        "--url", f"ws://127.0.0.1:{port}/stream",
    )  # fmt: skip
    processes.append(record)
    await eventually(lambda: any("subscribed" in line for line in record.stderr))
    await eventually(lambda: recorded.exists() and recorded.stat().st_size > 200)

    record.process.send_signal(signal.SIGINT)

    assert await record.finish() == 0
    summary = record.stderr[-1]
    tape = read_tape(recorded).tape
    assert f"{len(tape):,} updates of 2 symbols" in summary
    assert len(tape) > 0
    assert json.dumps(sorted(tape.symbols)) == json.dumps(["BTC/USD", "ETH/USD"])
