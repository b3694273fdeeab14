"""`chrono record` on a full disk: the recording still ends on a whole line."""

from __future__ import annotations

import errno
import io
import os
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from chrono_cli.commands import record
from chrono_cli.commands.record import FileSink
from chrono_sim.datafiles import read_tape
from chrono_sim.datafiles import writer as writer_module
from chrono_sim.errors import DataFileError
from tests.support.feed_events import symbol_price

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

ROOM = 5_000  # bytes free on the disk


class SmallDisk(io.FileIO):
    """A file on a disk with `room` bytes free: a short write, then ENOSPC, as the kernel does."""

    def __init__(self, path: str, room: int) -> None:
        super().__init__(path, "wb")
        self.room = room

    def write(self, data: ReadableBuffer, /) -> int:
        if self.room <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        done = super().write(bytes(memoryview(data).cast("B")[: self.room]))
        self.room -= done
        return done


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
