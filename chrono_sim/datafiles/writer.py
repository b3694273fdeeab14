"""Writing price updates to a data file: whole tapes (`generate`) or one by one (`record`)."""

from __future__ import annotations

import gzip
import os
from collections.abc import Callable
from functools import partial
from types import TracebackType
from typing import BinaryIO, Final

import numpy as np

from chrono_sim.datafiles.csvfile import CsvCodec
from chrono_sim.datafiles.formats import Layout, file_format
from chrono_sim.datafiles.jsonlines import JsonLinesCodec
from chrono_sim.datafiles.oserrors import os_detail
from chrono_sim.datafiles.tape import Tape
from chrono_sim.datafiles.timecodec import MAX_MS, MIN_MS
from chrono_sim.datafiles.tokens import SeqCounter
from chrono_sim.errors import DataFileError
from chrono_sim.protocol.messages import PriceUpdate

# Measured on generated market data (one core): level 3 writes ~740k updates/s at 7.3x;
# level 6 ~460k/s at 8.6x (17% smaller, slower than `chrono generate`'s 500k/s goal); 9 ~160k/s.
GZIP_LEVEL: Final = 3
_CHUNK: Final = 2048  # updates encoded per step: keeps the pieces list in the CPU cache
_BLOCK: Final = 256 * 1024  # single updates are collected up to this before a write


class UpdateWriter:
    """An open price data file being written; use as a context manager, or `close()` it.

    `write_tape` numbers `seq` per symbol from 1, continuing across calls;
    `write_update` keeps a received update's `seq`, and later tapes continue from it.
    """

    def __init__(self, path: str, codec: JsonLinesCodec | CsvCodec, *, gzipped: bool) -> None:
        self.path = path
        self.written = 0
        self._codec = codec
        self._seq = SeqCounter()
        self._pending = bytearray()
        self._closed = False
        try:
            self._file: BinaryIO = open(path, "wb", buffering=64 * 1024)  # noqa: SIM115
        except OSError as exc:
            raise DataFileError(path, f"cannot create the file: {os_detail(exc)}") from None
        # No time and no file name in the gzip header: the same updates, the same bytes.
        self._gzip = (
            gzip.GzipFile(
                filename="", fileobj=self._file, mode="wb", compresslevel=GZIP_LEVEL, mtime=0
            )
            if gzipped
            else None
        )
        self._emit(codec.header)

    def write_tape(self, tape: Tape) -> None:
        """Append every update of `tape`, in its order."""
        self._check_open()
        _check_tape(self.path, tape)
        offsets = self._seq.offsets(tape.symbols)
        for start in range(0, len(tape), _CHUNK):
            chunk = tape.take(slice(start, start + _CHUNK))
            seq = self._seq.number(chunk.symbol, offsets) if self._codec.numbers_seq else None
            self._emit(self._codec.encode_chunk(chunk, seq))
            self.written += len(chunk)
        self._seq.store(tape.symbols, offsets)

    def write_update(self, update: PriceUpdate) -> None:
        """Append one update as received from a server (its `seq` kept, `snapshot` dropped)."""
        self._check_open()
        if isinstance(update.seq, int):
            self._seq.note(update.symbol, update.seq)
        self._emit(self._codec.encode_update(update))
        self.written += 1

    def flush(self) -> None:
        """Make everything written so far readable by others (for gzip: a sync flush)."""
        self._check_open()
        self._guarded(self._flush)

    def close(self) -> None:
        """Finish the file (gzip: its trailer) and close it; closing twice does nothing."""
        if self._closed:
            return
        self._closed = True
        try:
            self._guarded(self._finish)
        finally:
            self._guarded(self._file.close)

    def __enter__(self) -> UpdateWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _emit(self, data: bytes) -> None:
        if not self._pending and len(data) >= _BLOCK:
            self._guarded(partial(self._write, data))  # a tape chunk: no copy into pending
            return
        self._pending += data
        if len(self._pending) >= _BLOCK:
            self._guarded(self._drain)

    def _drain(self) -> None:
        if self._pending:
            self._write(bytes(self._pending))
            self._pending.clear()

    def _write(self, data: bytes) -> None:
        (self._gzip or self._file).write(data)

    def _flush(self) -> None:
        self._drain()
        (self._gzip or self._file).flush()  # GzipFile.flush: Z_SYNC_FLUSH, then the file

    def _finish(self) -> None:
        self._drain()
        if self._gzip is not None:
            self._gzip.close()  # writes the trailer; leaves our file open
        self._file.flush()

    def _guarded(self, action: Callable[[], None]) -> None:
        try:
            action()
        except OSError as exc:
            raise DataFileError(self.path, f"cannot write: {os_detail(exc)}") from None

    def _check_open(self) -> None:
        if self._closed:
            raise DataFileError(self.path, "cannot write: the writer is closed")


def open_writer(path: str | os.PathLike[str]) -> UpdateWriter:
    """Create (or truncate) a price data file in the format its extension names."""
    name = os.fspath(path)
    form = file_format(name)
    codec = JsonLinesCodec() if form.layout is Layout.JSON_LINES else CsvCodec()
    return UpdateWriter(name, codec, gzipped=form.gzipped)


def _check_tape(path: str, tape: Tape) -> None:
    """Refuse a tape that would write lines no reader accepts."""
    price, volume = tape.price, tape.volume
    checks = (
        (~(np.isfinite(price) & (price > 0)), "price must be finite and > 0", price),
        (
            ~(np.isnan(volume) | (np.isfinite(volume) & (volume >= 0))),
            "volume must be >= 0",
            volume,
        ),
        (
            (tape.time_ms < MIN_MS) | (tape.time_ms > MAX_MS),
            "time is outside years 0-9999",
            tape.time_ms,
        ),
        ((tape.symbol < 0) | (tape.symbol >= len(tape.symbols)), "no such symbol", tape.symbol),
        ((tape.source < 0) | (tape.source >= len(tape.sources)), "no such source", tape.source),
    )
    for bad, rule, column in checks:
        found = np.flatnonzero(bad)
        if len(found):
            index = int(found[0])
            raise DataFileError(
                path, f"cannot write update {index} of the tape: {rule}, not {column[index]}"
            )
