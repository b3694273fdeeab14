"""`chrono demo`: the bundled market served and watched in one process, with no network."""

from __future__ import annotations

import json
import signal
from importlib.resources import files

from chrono_sim.datafiles import read_tape
from chrono_sim.protocol.catalog import DEFAULT_CATALOG
from tests.support.processes import eventually, run_cli, start_cli

SAMPLE = files("chrono_sim") / "data" / "sample.jsonl.gz"


def test_the_sample_market_ships_inside_the_package_and_stays_small() -> None:
    assert SAMPLE.is_file()
    assert len(SAMPLE.read_bytes()) < 400 * 1024


def test_the_sample_market_quotes_every_default_symbol() -> None:
    tape = read_tape(str(SAMPLE)).tape
    assert set(tape.symbols) == set(DEFAULT_CATALOG.symbols)
    assert len(tape) > 10_000


def test_in_a_pipe_the_demo_prints_price_updates_as_json_lines() -> None:
    result = run_cli("demo", "--count", "20", "--speed", "20")
    assert result.returncode == 0, result.stderr
    updates = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(updates) == 20
    assert all(update["type"] == "price_update" for update in updates)
    assert {update["symbol"] for update in updates} <= set(DEFAULT_CATALOG.symbols)
    assert "chrono demo: connected to ws://127.0.0.1:" in result.stderr


async def test_ctrl_c_stops_server_and_viewer_together() -> None:
    demo = await start_cli("demo")
    await eventually(lambda: len(demo.stdout) >= 3)

    demo.process.send_signal(signal.SIGINT)

    assert await demo.finish() == 0
    assert not any("Traceback" in line for line in demo.stderr)
