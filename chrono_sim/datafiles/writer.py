"""Writing price updates to a data file: whole tapes (`generate`) or one by one (`record`)."""

from __future__ import annotations

import contextlib
import gzip
import os
from collections.abc import Callable
from functools import partial
from types import TracebackType
from typing import Final, Protocol

import numpy as np

from chrono_sim.datafiles.csvfile import CsvCodec
from chrono_sim.datafiles.formats import Layout, file_format
from chrono_sim.datafiles.jsonlines import JsonLinesCodec
from chrono_sim.datafiles.tape import Tape
from chrono_sim.datafiles.timecodec import MAX_MS, MIN_MS
from chrono_sim.datafiles.tokens import SeqCounter
from chrono_sim.errors import DataFileError
from chrono_sim.failures import describe_os_error
from chrono_sim.protocol.messages import PriceUpdate

# Measured on generated market data (one core): level 3 writes ~740k updates/s at 7.3x;
# level 6 ~460k/s at 8.6x (17% smaller, slower than `chrono generate`'s 500k/s goal); 9 ~160k/s.
GZIP_LEVEL: Final = 3
_CHUNK: Final = 2048  # updates encoded per step: keeps the pieces list in the CPU cache
_BLOCK: Final = 256 * 1024  # single updates are collected up to this before a write


class RawFile(Protocol):
    """What a writer needs of the file under it: `io.FileIO`, unbuffered."""

    def write(self, data: memoryview, /) -> int | None: ...
    def truncate(self, size: int, /) -> int: ...
    def close(self) -> None: ...


def _create(path: str) -> RawFile:
    """The file under a writer (a test puts a smaller disk here)."""
    return open(path, "wb", buffering=0)  # closed by `_WholeLines`


class _WholeLines:
    """The file under a writer, which only ever ends on a whole line, whatever fails.

    Every write goes through whole or raises; `size` is what the file took,
    including a failed write's short part. The writer `commit`s wherever the
    file's text ends on a whole line; after a failed write, `roll_back` truncates
    the file to the last such point and drops whatever is written afterwards
    (a gzip stream's trailer, when Python closes it).
    """

    def __init__(self, raw: RawFile) -> None:
        self._raw = raw
        self._size = 0
        self._committed = 0
        self._dropping = False

    def write(self, data: bytes) -> int:
        if self._dropping:
            return len(data)
        view = memoryview(data).cast("B")
        while view:
            done = self._raw.write(view)  # short on a full disk; the next one raises
            if done is None:  # only a non-blocking file does this
                raise BlockingIOError("the file took nothing")
            self._size += done
            view = view[done:]
        return len(data)

    def flush(self) -> None:
        """Nothing is buffered here (GzipFile calls it)."""

    @property
    def size(self) -> int:
        return self._size

    def commit(self, size: int | None = None) -> None:
        """Mark the file's text as ending on a whole line at `size` (default: its end)."""
        self._committed = self._size if size is None else size

    def roll_back(self) -> None:
        self._dropping = True
        if self._size != self._committed:
            self._raw.truncate(self._committed)
            self._size = self._committed

    def close(self) -> None:
        self._raw.close()


class UpdateWriter:
    """An open price data file being written; use as a context manager, or `close()` it.

    `write_tape` numbers `seq` per symbol from 1, continuing across calls;
    `write_update` keeps a received update's `seq`, and later tapes continue from it.

    The file always ends on a whole line: lines reach it whole, and when a write
    fails (a full disk) it is cut back to its last whole line (plain text: the
    last one the disk took; gzip: the last sync flush), `written` counts the
    updates it holds, and the writer refuses anything more.
    """

    def __init__(self, path: str, codec: JsonLinesCodec | CsvCodec, *, gzipped: bool) -> None:
        self.path = path
        self.written = 0
        self._codec = codec
        self._seq = SeqCounter()
        self._pending = bytearray()
        self._pending_updates = 0
        self._pending_extra = 0  # lines in pending that are not updates (a CSV header), first
        self._passed = 0  # updates handed to the file (for gzip: to the compressor)
        self._kept = 0  # updates in the file up to its last whole line
        self._closed = False
        self._failed = False
        try:
            self._file = _WholeLines(_create(path))
        except OSError as exc:
            raise DataFileError(path, f"cannot create the file: {describe_os_error(exc)}") from None
        try:
            # No time and no file name in the gzip header: the same updates, the same bytes.
            self._gzip = (
                gzip.GzipFile(
                    filename="", fileobj=self._file, mode="wb", compresslevel=GZIP_LEVEL, mtime=0
                )
                if gzipped
                else None
            )
        except OSError as exc:  # no room even for the gzip header: leave the file empty
            with contextlib.suppress(OSError):
                self._file.roll_back()
            self._file.close()
            raise DataFileError(path, f"cannot write: {describe_os_error(exc)}") from None
        self._emit(codec.header, extra=codec.header.count(b"\n"))

    def write_tape(self, tape: Tape) -> None:
        """Append every update of `tape`, in its order."""
        self._check_open()
        _check_tape(self.path, tape)
        offsets = self._seq.offsets(tape.symbols)
        for start in range(0, len(tape), _CHUNK):
            chunk = tape.take(slice(start, start + _CHUNK))
            seq = self._seq.number(chunk.symbol, offsets) if self._codec.numbers_seq else None
            self._emit(self._codec.encode_chunk(chunk, seq), len(chunk))
            self.written += len(chunk)
        self._seq.store(tape.symbols, offsets)

    def write_update(self, update: PriceUpdate) -> None:
        """Append one update as received from a server (its `seq` kept, `snapshot` dropped)."""
        self._check_open()
        if isinstance(update.seq, int):
            self._seq.note(update.symbol, update.seq)
        self._emit(self._codec.encode_update(update), 1)
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
            if not self._failed:
                self._guarded(self._finish)
        finally:
            try:
                self._file.close()
            except OSError as exc:
                if not self._failed:
                    raise DataFileError(
                        self.path, f"cannot write: {describe_os_error(exc)}"
                    ) from None

    def __enter__(self) -> UpdateWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _emit(self, data: bytes, updates: int = 0, extra: int = 0) -> None:
        """Write whole lines (`updates` updates after `extra` other lines), collected in blocks."""
        if not self._pending and len(data) >= _BLOCK:
            # A tape chunk: no copy into pending.
            self._guarded(partial(self._write, data, updates, extra))
            return
        self._pending += data
        self._pending_updates += updates
        self._pending_extra += extra
        if len(self._pending) >= _BLOCK:
            self._guarded(self._drain)

    def _drain(self) -> None:
        if self._pending:
            self._write(bytes(self._pending), self._pending_updates, self._pending_extra)
            self._pending.clear()
            self._pending_updates = 0
            self._pending_extra = 0

    def _write(self, data: bytes, updates: int, extra: int = 0) -> None:
        if self._gzip is None:
            start = self._file.size
            try:
                self._file.write(data)
            except OSError:
                self._keep_whole_lines(data, self._file.size - start, start, extra)
                raise
            self._passed += updates
            self._commit()  # whole lines, whole in the file
        else:
            self._gzip.write(data)  # whole in the file only at the next sync flush
            self._passed += updates

    def _flush(self) -> None:
        self._drain()
        if self._gzip is not None:
            self._gzip.flush()  # Z_SYNC_FLUSH: every line so far can be decompressed
        self._commit()

    def _finish(self) -> None:
        self._drain()
        if self._gzip is not None:
            self._gzip.close()  # writes the trailer; leaves our file open
        self._commit()

    def _commit(self) -> None:
        self._file.commit()
        self._kept = self._passed

    def _keep_whole_lines(self, data: bytes, accepted: int, start: int, extra: int) -> None:
        """After a failed plain write: commit the whole lines of `data` the file took."""
        end = data.rfind(b"\n", 0, accepted) + 1
        if end:
            self._passed += max(0, data.count(b"\n", 0, end) - extra)
            self._file.commit(start + end)
            self._kept = self._passed

    def _guarded(self, action: Callable[[], None]) -> None:
        try:
            action()
        except OSError as exc:
            self._give_up()
            raise DataFileError(self.path, f"cannot write: {describe_os_error(exc)}") from None

    def _give_up(self) -> None:
        """After a failed write: cut the file back to its last whole line; write no more."""
        self._failed = True
        self._pending.clear()
        self._pending_updates = 0
        self._pending_extra = 0
        self.written = self._kept
        # A file that cannot even be truncated: the write's error is still the one to tell.
        with contextlib.suppress(OSError):
            self._file.roll_back()
        if self._gzip is not None:
            self._gzip.close()  # its trailer goes nowhere (the file drops it); not at exit

    def _check_open(self) -> None:
        if self._closed:
            raise DataFileError(self.path, "cannot write: the writer is closed")
        if self._failed:
            raise DataFileError(self.path, "cannot write: an earlier write failed")


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
