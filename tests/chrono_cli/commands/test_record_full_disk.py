"""`chrono record` on a full disk: the recording still ends on a whole line."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import typer

from chrono_cli.commands import record
from chrono_cli.commands.record import FileSink
from chrono_cli.exit_codes import ExitCode
from chrono_cli.options import DEFAULT_URL, DEV_KEY
from chrono_sim.datafiles import read_tape
from chrono_sim.datafiles import writer as writer_module
from chrono_sim.errors import DataFileError
from tests.support.disks import SmallDisk
from tests.support.feed_events import symbol_price

if TYPE_CHECKING:
    pass

ROOM = 5_000  # bytes free on the disk
BIG_ROOM = 48 * 1024  # a small tmpfs: less than one block of the writer


def handle_prices(sink: FileSink) -> None:
    for n in range(100_000):
        sink.handle(symbol_price("BTC/USD", 95_000.0 + n))


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_a_full_disk_leaves_the_recording_ending_on_a_whole_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str
) -> None:
    monkeypatch.setattr(writer_module, "_create", lambda path: SmallDisk(path, ROOM))
    monkeypatch.setattr(record, "FLUSH_EVERY", 0.0)  # a flush per update: a write per update
    capture = tmp_path / f"capture{suffix}"
    sink = FileSink(capture)
    with pytest.raises(DataFileError, match="no space left"):
        handle_prices(sink)
    sink.close()  # no second error
    text = capture.read_bytes()
    assert 0 < len(text) <= ROOM
    assert text.endswith(b"\n")
    assert len(read_tape(capture).tape) == sink.written  # every line whole, and counted


def test_a_full_disk_without_flushes_keeps_the_lines_that_fit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Updates faster than the flushes: a whole block is cut short, not dropped."""
    monkeypatch.setattr(writer_module, "_create", lambda path: SmallDisk(path, BIG_ROOM))
    monkeypatch.setattr(record, "FLUSH_EVERY", 3600.0)
    capture = tmp_path / "capture.jsonl"
    sink = FileSink(capture)
    with pytest.raises(DataFileError, match="no space left"):
        handle_prices(sink)
    sink.close()
    text = capture.read_bytes()
    line = len(text) // text.count(b"\n")
    assert BIG_ROOM - line <= len(text) <= BIG_ROOM
    assert len(read_tape(capture).tape) == sink.written > 0


def test_record_says_what_it_wrote_after_a_write_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    async def feed(client: object, sink: FileSink, count: object, duration: object) -> ExitCode:
        with sink:
            handle_prices(sink)
        return ExitCode.OK

    monkeypatch.setattr(writer_module, "_create", lambda path: SmallDisk(path, BIG_ROOM))
    monkeypatch.setattr(record, "_record", feed)
    capture = tmp_path / "capture.jsonl"
    with pytest.raises(typer.Exit) as exited:
        record.record(["BTC/USD"], capture, DEFAULT_URL, DEV_KEY, None, None, None)
    assert exited.value.exit_code == ExitCode.CONFIG
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 2, lines
    assert lines[0] == f"chrono record: error: {capture}: cannot write: no space left on the device"
    kept = len(read_tape(capture).tape)
    assert kept > 0
    assert lines[1].startswith(f"chrono record: {kept:,} updates of 1 symbol in ")
    assert lines[1].endswith(f" to {capture}")
