"""A data file being written when the disk fills up still ends on a whole line."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import zlib
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pytest

from chrono_sim.datafiles import open_writer, read_tape
from chrono_sim.datafiles import writer as writer_module
from chrono_sim.datafiles.tape import Tape
from chrono_sim.datafiles.writer import UpdateWriter
from chrono_sim.errors import DataFileError
from chrono_sim.protocol.messages import PriceUpdate
from tests.support.disks import SmallDisk

if TYPE_CHECKING:
    pass

FLUSH_EVERY = 7  # updates between flushes, as `record` flushes every second


@pytest.fixture
def disk_room(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Set `disk_room[0]`: the bytes the next file written may take."""
    room = [0]
    monkeypatch.setattr(writer_module, "_create", lambda path: SmallDisk(path, room[0]))
    return room


def update(n: int) -> PriceUpdate:
    return PriceUpdate(
        symbol="BTC/USD", price=95_000.0 + n, volume=1234.5, timestamp="2025-10-10T14:30:00.123Z",
        source="coinbase", seq=n,
    )  # fmt: skip


def write_updates(writer: UpdateWriter, flush_every: int = FLUSH_EVERY) -> None:
    """Write updates one by one, flushing now and then, as `record` does (until one fails)."""
    for n in range(1, 100_000):
        writer.write_update(update(n))
        if n % flush_every == 0:
            writer.flush()


def open_and_write(path: Path, opened: list[UpdateWriter]) -> None:
    opened.append(open_writer(path))  # a gzip header may not fit
    write_updates(opened[0])


def record_until_full(path: Path) -> int:
    """Write updates as `record` does until the disk is full; the updates the file kept."""
    opened: list[UpdateWriter] = []
    with pytest.raises(DataFileError, match="no space left") as caught:
        open_and_write(path, opened)
    assert str(path) in str(caught.value)
    if not opened:
        return 0
    opened[0].close()  # no second error: the first one is the one the user hears of
    return opened[0].written


def text_of(path: Path) -> bytes:
    data = path.read_bytes()
    return zlib.decompressobj(wbits=31).decompress(data) if path.suffix == ".gz" else data


@pytest.mark.parametrize("suffix", [".jsonl", ".csv", ".jsonl.gz", ".csv.gz"])
@pytest.mark.parametrize("room", [0, 50, 1_000, 5_003, 300_001])
def test_a_full_disk_cuts_the_file_back_to_its_last_whole_line(
    tmp_path: Path, disk_room: list[int], suffix: str, room: int
) -> None:
    disk_room[0] = room
    path = tmp_path / f"capture{suffix}"
    kept = record_until_full(path)
    text = text_of(path)
    assert text == b"" or text.endswith(b"\n")
    header = 1 if ".csv" in suffix and text else 0
    assert text.count(b"\n") == kept + header  # `written` counts what the file holds
    if kept:
        tape = read_tape(path, skip_bad=True).tape  # gzip: no trailer, as after a crash
        assert tape.price.tolist() == [95_000.0 + n for n in range(1, kept + 1)]


def test_a_full_disk_while_writing_whole_tapes_leaves_whole_lines(
    tmp_path: Path, disk_room: list[int]
) -> None:
    disk_room[0] = 700_001  # some 256 KiB blocks fit, then one is cut short
    rows = 20_000
    tape = Tape(
        ("BTC/USD",), ("coinbase",), np.arange(rows, dtype=np.int64) + 1_760_106_600_123,
        np.zeros(rows, dtype=np.int32), np.zeros(rows, dtype=np.int32),
        np.full(rows, 95_000.5), np.full(rows, 12.25),
    )  # fmt: skip
    path = tmp_path / "market.jsonl"
    writer = open_writer(path)
    with pytest.raises(DataFileError, match="no space left"):
        writer.write_tape(tape)
    writer.close()
    text = path.read_bytes()
    assert text.endswith(b"\n")
    assert 0 < text.count(b"\n") == writer.written < rows
    assert len(read_tape(path).tape) == writer.written


def test_after_a_failed_write_the_writer_writes_nothing_more(
    tmp_path: Path, disk_room: list[int]
) -> None:
    disk_room[0] = 1_000
    path = tmp_path / "capture.jsonl"
    writer = open_writer(path)
    with pytest.raises(DataFileError):
        write_updates(writer, flush_every=1)
    before = path.read_bytes()
    with pytest.raises(DataFileError, match="an earlier write failed"):
        writer.write_update(update(1_000))
    with pytest.raises(DataFileError, match="an earlier write failed"):
        writer.flush()
    writer.close()
    assert path.read_bytes() == before


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_a_file_size_limit_met_by_the_kernel_leaves_whole_lines(
    tmp_path: Path, suffix: str
) -> None:
    """RLIMIT_FSIZE: the kernel writes what fits, then refuses (EFBIG), like a full disk."""
    path = tmp_path / f"capture{suffix}"
    script = textwrap.dedent(f"""
        import resource
        from chrono_sim.datafiles import open_writer
        from chrono_sim.errors import DataFileError
        from chrono_sim.protocol.messages import PriceUpdate

        resource.setrlimit(resource.RLIMIT_FSIZE, (300_007, 300_007))  # SIGXFSZ: ignored
        writer = open_writer({str(path)!r})
        try:
            for n in range(1, 1_000_000):
                writer.write_update(PriceUpdate(
                    symbol="ETH/USD", price=3_400.25, volume=None,
                    timestamp="2025-10-10T14:30:00.123Z", source="kraken", seq=n,
                ))
                if n % 500 == 0:
                    writer.flush()
        except DataFileError as exc:
            print(writer.written, exc)
        writer.close()
    """)
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    kept, message = result.stdout.split(" ", 1)
    assert "cannot write" in message
    text = path.read_bytes()
    assert 0 < len(text) <= 300_007
    assert text.endswith(b"\n")
    assert text.count(b"\n") == int(kept) + (1 if suffix == ".csv" else 0)
    assert len(read_tape(path).tape) == int(kept)


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
@pytest.mark.parametrize("room", [1_000, 48 * 1024, 300_001])
def test_a_full_disk_keeps_every_whole_line_the_disk_took(
    tmp_path: Path, disk_room: list[int], suffix: str, room: int
) -> None:
    """No flush: a whole block is cut short, and the lines of its short write are kept."""
    disk_room[0] = room
    path = tmp_path / f"capture{suffix}"
    kept = record_until_full_no_flush(path)
    text = path.read_bytes()
    line = len(text) // text.count(b"\n")
    assert room - line <= len(text) <= room  # all but the cut line
    assert text.endswith(b"\n")
    header = 1 if suffix == ".csv" else 0
    assert text.count(b"\n") == kept + header
    assert read_tape(path).tape.price.tolist() == [95_000.0 + n for n in range(1, kept + 1)]


def record_until_full_no_flush(path: Path) -> int:
    writer = open_writer(path)
    with pytest.raises(DataFileError, match="no space left"):
        write_updates(writer, flush_every=1_000_000)
    writer.close()
    return writer.written


@pytest.mark.parametrize("room", [1_000, 300_001])
def test_a_full_disk_keeps_a_gzip_file_to_its_last_sync_flush(
    tmp_path: Path, disk_room: list[int], room: int
) -> None:
    disk_room[0] = room
    path = tmp_path / "capture.jsonl.gz"
    kept = record_until_full(path)
    text = text_of(path)
    assert text.count(b"\n") == kept
    assert kept % FLUSH_EVERY == 0  # what the last sync flush made whole
