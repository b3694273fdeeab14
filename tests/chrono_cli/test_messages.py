"""One wording per failure, whichever command meets it; counts that agree with their nouns."""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path

import pytest

from chrono_cli.messages import count, out_of_range, range_phrase
from chrono_sim.datafiles import open_writer
from chrono_sim.errors import DataFileError
from chrono_sim.server import ChronoServer
from tests.support.processes import eventually, run_cli, start_cli
from tests.support.sessions import quote


def test_counts_agree_with_their_nouns() -> None:
    assert count(0, "update") == "0 updates"
    assert count(1, "symbol") == "1 symbol"
    assert count(12_345, "update") == "12,345 updates"


def test_ranges() -> None:
    assert range_phrase(0, 65535) == "between 0 and 65535"
    assert range_phrase(1, None) == "at least 1"
    assert range_phrase(None, 0.5) == "at most 0.5"
    assert out_of_range(1.0, None, "0") == "must be at least 1, not 0"


def closed_port() -> int:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def error_line(result: subprocess.CompletedProcess[str], command: str) -> str:
    """The command's one error line, without its `chrono COMMAND: error: ` prefix."""
    prefix = f"chrono {command}: error: "
    lines = [line for line in result.stderr.splitlines() if line.startswith(prefix)]
    assert len(lines) == 1, result.stderr
    return lines[0].removeprefix(prefix)


def test_a_refused_connection_reads_the_same_from_every_command(tmp_path: Path) -> None:
    url = f"ws://127.0.0.1:{closed_port()}/stream"
    output = str(tmp_path / "x.jsonl")
    runs = {
        "tail": run_cli("tail", "BTC/USD", "--json", "--duration", "0.5", "--url", url),
        "record": run_cli("record", "BTC/USD", "-o", output, "--duration", "0.5", "--url", url),
        "check": run_cli("check", url),
        "symbols": run_cli("symbols", "--url", url),
    }
    lines = {command: error_line(result, command) for command, result in runs.items()}
    refused = f"cannot connect to {url}: connection refused (is the server up?)"
    assert lines == dict.fromkeys(runs, refused)
    assert {command: result.returncode for command, result in runs.items()} == dict.fromkeys(
        runs, 4
    )


def test_a_file_generate_cannot_create_reads_as_record_reads_it(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    output = blocker / "out.jsonl"  # a part of the path is a file, not a directory
    with pytest.raises(DataFileError) as refused:  # what `record` says, at its first price
        open_writer(output)

    result = run_cli("generate", "-o", str(output), "--duration", "1m")

    assert result.returncode == 3
    assert error_line(result, "generate") == str(refused.value)
    assert str(refused.value).endswith(
        ": cannot create the file: a part of the path is not a directory"
    )


def test_generate_counts_one_symbol_as_one(tmp_path: Path) -> None:
    output = tmp_path / "one.jsonl"
    result = run_cli("generate", "-o", str(output), "--symbols", "BTC/USD", "--duration", "1m")
    assert result.returncode == 0, result.stderr
    assert " updates of 1 symbol to " in result.stderr


async def test_record_counts_one_update_of_one_symbol(server: ChronoServer, tmp_path: Path) -> None:
    output = tmp_path / "one.jsonl"
    record = await start_cli(
        "record", "BTC/USD", "-o", str(output), "--count", "1",
        "--url", f"ws://127.0.0.1:{server.port}/stream",
    )  # fmt: skip
    await eventually(lambda: server.hub.subscriber_count("BTC/USD") == 1, within=30)
    server.hub.publish(quote("BTC/USD", 45123.5))

    assert await record.finish() == 0, record.stderr
    assert record.stderr[-1].startswith("chrono record: 1 update of 1 symbol in ")


def test_a_taken_port_reads_the_same_from_serve_and_demo() -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        serve = run_cli("serve", "--host", "127.0.0.1", "--port", str(port))
        demo = run_cli("demo", "--port", str(port), "--duration", "1")
    in_use = "address already in use (another server on that port?)"
    assert error_line(serve, "serve") == f"cannot listen on 127.0.0.1:{port}: {in_use}"
    assert error_line(demo, "demo") == f"cannot listen on localhost:{port}: {in_use}"
    assert (serve.returncode, demo.returncode) == (4, 4)
