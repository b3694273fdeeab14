"""`chrono record` refuses bad input before touching any file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import typer

from chrono_cli.commands.record import record
from chrono_cli.options import DEV_KEY
from tests.support.handshakes import answering
from tests.support.processes import run_cli, start_cli


def test_a_url_typo_leaves_an_existing_file_as_it_was(tmp_path: Path) -> None:
    kept = tmp_path / "keep.jsonl"
    kept.write_text("precious\n")

    result = run_cli("record", "BTC/USD", "-o", str(kept), "--url", "http://typo")

    assert result.returncode == 2
    assert "not a WebSocket URL" in result.stderr
    assert kept.read_text() == "precious\n"


def test_an_unreachable_server_creates_no_file(tmp_path: Path) -> None:
    capture = tmp_path / "capture.jsonl"

    result = run_cli(
        "record", "BTC/USD", "-o", str(capture), "--duration", "1",
        "--url", "ws://127.0.0.1:9/stream",
    )  # fmt: skip

    assert result.returncode == 4
    assert not capture.exists()
    assert "not created" in result.stderr


def test_an_unknown_extension_is_refused_before_connecting(tmp_path: Path) -> None:
    result = run_cli("record", "BTC/USD", "-o", str(tmp_path / "capture.txt"))

    assert result.returncode == 3
    assert result.stderr.count("\n") == 1
    assert "capture.txt" in result.stderr


async def test_a_handshake_answered_404_exits_4_at_once_and_creates_no_file(
    tmp_path: Path,
) -> None:
    capture = tmp_path / "capture.jsonl"
    async with answering(404) as server:
        record = await start_cli("record", "BTC/USD", "-o", str(capture), "--url", server.url())

        assert await record.finish() == 4
        assert len(server.requests) == 1
    assert record.stderr[0] == (
        f"chrono record: error: cannot connect to {server.url()}: handshake answered HTTP 404 "
        "Not Found (no WebSocket endpoint at /stream)"
    )
    assert not capture.exists()


def test_help_says_what_is_retried_and_what_ends_the_run() -> None:
    result = run_cli("record", "--help")

    assert "It retries only what waiting can fix" in " ".join(result.stdout.split())


def test_a_missing_directory_is_refused_before_connecting(tmp_path: Path) -> None:
    capture = tmp_path / "nodir" / "capture.jsonl"

    result = run_cli(
        "record", "BTC/USD", "-o", str(capture), "--url", "ws://127.0.0.1:9/stream", timeout=10
    )

    assert result.returncode == 3
    assert result.stderr == (
        f"chrono record: error: {capture}: cannot create the file: no such file or directory\n"
    )
    assert not capture.parent.exists()


def test_a_parent_that_is_a_file_is_refused_before_connecting(tmp_path: Path) -> None:
    (tmp_path / "plain").write_text("")
    capture = tmp_path / "plain" / "capture.jsonl"

    result = run_cli(
        "record", "BTC/USD", "-o", str(capture), "--url", "ws://127.0.0.1:9/stream", timeout=10
    )

    assert result.returncode == 3
    assert result.stderr == (
        f"chrono record: error: {capture}: cannot create the file: "
        "a part of the path is not a directory\n"
    )


def test_a_directory_not_writable_is_refused_before_connecting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    capture = tmp_path / "capture.jsonl"
    monkeypatch.setattr(os, "access", lambda *args, **kwargs: False)  # as if not root

    with pytest.raises(typer.Exit) as exited:
        record(["BTC/USD"], capture, "ws://127.0.0.1:9/stream", DEV_KEY, None, None, None)

    assert exited.value.exit_code == 3
    assert capsys.readouterr().err == (
        f"chrono record: error: {capture}: cannot create the file: permission denied\n"
    )
