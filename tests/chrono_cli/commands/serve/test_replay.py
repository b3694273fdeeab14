"""`chrono serve --replay` as a user runs it: a real process, a real file, one-line errors."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from websockets.asyncio.client import connect

from chrono_sim.datafiles import open_writer
from chrono_sim.protocol.keys import DEV_KEY
from tests.support.processes import Cli, eventually, run_cli, start_cli
from tests.support.sockets import receive
from tests.support.tapes import evenly

SYMBOLS = ["BTC/USD", "ETH/USD"]
FIRST_LINE = (
    '{"type":"price_update","symbol":"BTC/USD","price":1.5,"volume":2.0,'
    '"timestamp":"2025-10-10T14:30:00.000Z","source":"kraken","seq":1}\n'
)


@pytest.fixture
def market(tmp_path: Path) -> Path:
    """500 updates of two symbols, 10 s apart."""
    path = tmp_path / "market.jsonl.gz"
    with open_writer(str(path)) as writer:
        writer.write_tape(evenly(500, 10_000, SYMBOLS))
    return path


async def serve(processes: list[Cli], *args: str) -> tuple[Cli, int]:
    process = await start_cli("serve", "--host", "127.0.0.1", "--port", "0", *args)
    processes.append(process)
    return process, await process.port()


def assert_one_line_error(result_stderr: str, *fragments: str) -> None:
    assert result_stderr.count("\n") == 1, result_stderr
    assert result_stderr.startswith("chrono serve: error: ")
    assert "Traceback" not in result_stderr
    for fragment in fragments:
        assert fragment in result_stderr


async def test_a_max_speed_replay_streams_the_file_to_a_subscriber(
    processes: list[Cli], market: Path
) -> None:
    served, port = await serve(processes, "--replay", str(market), "--speed", "max")
    async with connect(f"ws://127.0.0.1:{port}/stream?api_key={DEV_KEY}") as ws:
        await ws.send(json.dumps({"type": "subscribe", "symbols": SYMBOLS}))
        assert (await receive(ws))["type"] == "subscribed"
        updates = [await receive(ws) for _ in range(500)]

    assert [update["price"] for update in updates] == [1.0 + i for i in range(500)]
    assert [update["seq"] for update in updates if update["symbol"] == "ETH/USD"] == list(
        range(1, 251)
    )
    assert any(
        f"replaying {market}: 500 updates of 2 symbols" in line and "max speed" in line
        for line in served.stderr
    )


async def test_the_server_offers_the_symbols_of_the_file(
    processes: list[Cli], tmp_path: Path
) -> None:
    path = tmp_path / "one.jsonl"
    path.write_text(FIRST_LINE)
    _, port = await serve(processes, "--replay", str(path))
    async with connect(f"ws://127.0.0.1:{port}/stream?api_key={DEV_KEY}") as ws:
        await ws.send(json.dumps({"type": "subscribe", "symbols": ["ETH/USD"]}))
        refusal = await receive(ws)

    assert refusal["code"] == "UNKNOWN_SYMBOL"


async def test_skipped_bad_lines_are_counted_in_the_log(
    processes: list[Cli], tmp_path: Path
) -> None:
    path = tmp_path / "damaged.jsonl"
    path.write_text(FIRST_LINE + "not json\n" + FIRST_LINE.replace("14:30:00", "14:30:01"))
    served, _ = await serve(processes, "--replay", str(path), "--skip-bad-lines")

    await eventually(lambda: any("skipped 1 malformed line" in line for line in served.stderr))
    assert any("line 2" in line for line in served.stderr if "skipped" in line)


async def test_a_file_window_is_announced(processes: list[Cli], market: Path) -> None:
    served, _ = await serve(
        processes, "--replay", str(market), "--from", "10m", "--to", "2025-10-10T14:50:00Z"
    )

    await eventually(lambda: any("replaying" in line for line in served.stderr))
    assert any(
        "60 updates" in line and "2025-10-10T14:40:00.000Z to 2025-10-10T14:49:50.000Z" in line
        for line in served.stderr
    )


def test_a_malformed_line_is_one_line_naming_file_and_line_and_exit_3(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(FIRST_LINE + '{"type":"price_update","symbol":"BTC/USD"}\n')

    result = run_cli("serve", "--port", "0", "--replay", str(path))

    assert result.returncode == 3
    assert_one_line_error(result.stderr, str(path), "line 2")


def test_a_missing_file_is_one_line_and_exit_3(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.jsonl"

    result = run_cli("serve", "--port", "0", "--replay", str(path))

    assert result.returncode == 3
    assert_one_line_error(result.stderr, str(path))


def test_a_window_holding_no_update_is_one_line_and_exit_3(market: Path) -> None:
    result = run_cli("serve", "--port", "0", "--replay", str(market), "--from", "2h")

    assert result.returncode == 3
    assert_one_line_error(result.stderr, "no update from", "the file runs from")


@pytest.mark.parametrize(
    "option",
    [
        ["--from", "10m"],
        ["--to", "10m"],
        ["--speed", "max"],
        ["--loop"],
        ["--keep-timestamps"],
        ["--skip-bad-lines"],
    ],
)
def test_replay_options_without_replay_are_a_usage_error(option: list[str]) -> None:
    result = run_cli("serve", "--port", "0", *option)

    assert result.returncode == 2
    assert_one_line_error(result.stderr, option[0], "--replay")


@pytest.mark.parametrize("option", [["--interval", "1"], ["--seed", "7"], ["--universe", "5"]])
def test_synthetic_options_with_replay_are_a_usage_error(market: Path, option: list[str]) -> None:
    result = run_cli("serve", "--port", "0", "--replay", str(market), *option)

    assert result.returncode == 2
    assert_one_line_error(result.stderr, option[0])


@pytest.mark.parametrize("bound", ["yesterday", "2025-10-10T14:30:00"])
def test_a_window_bound_that_does_not_parse_is_a_usage_error(market: Path, bound: str) -> None:
    result = run_cli("serve", "--port", "0", "--replay", str(market), "--to", bound)

    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "--to" in result.stderr


@pytest.mark.parametrize("speed", ["0", "-2", "fast", "inf"])
def test_a_speed_that_is_not_positive_or_max_is_a_usage_error(market: Path, speed: str) -> None:
    result = run_cli("serve", "--port", "0", "--replay", str(market), "--speed", speed)

    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "--speed" in result.stderr


async def test_durations_accept_a_unit(processes: list[Cli]) -> None:
    served, port = await serve(
        processes, "--interval", "250ms", "--heartbeat-interval", "1s", "--idle-timeout", "10m"
    )
    async with connect(f"ws://127.0.0.1:{port}/stream?api_key={DEV_KEY}") as ws:
        heartbeat = json.loads(await asyncio.wait_for(ws.recv(), timeout=5))

    assert heartbeat["type"] == "pong"
    assert served.process.returncode is None
