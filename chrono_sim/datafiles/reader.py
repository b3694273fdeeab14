"""Reading a price data file into a `Tape`, naming the file and line of anything wrong."""

from __future__ import annotations

import gzip
import io
import os
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

import numpy as np
from numpy.typing import NDArray

from chrono_sim.datafiles.csvfile import CsvParser
from chrono_sim.datafiles.formats import Layout, file_format
from chrono_sim.datafiles.jsonlines import JsonLinesParser
from chrono_sim.datafiles.rows import BadLine, Rows
from chrono_sim.datafiles.tape import Tape
from chrono_sim.errors import DataFileError
from chrono_sim.failures import describe_os_error

_BLOCK: Final = 1 << 20  # bytes of text parsed per step
_MAX_LINE: Final = 64 << 20  # a longer "line" means this is not a price data file
_RETRY: Final = 64  # lines parsed per step after a bad line, doubling while they parse
_BOM: Final = b"\xef\xbb\xbf"

Parser = JsonLinesParser | CsvParser


@dataclass(frozen=True)
class TapeRead:
    """A file's updates in time order, and how many bad lines `skip_bad` left out."""

    tape: Tape
    skipped: int
    first_problem: str | None  # "line 17: ..." of the first skipped line


def read_tape(path: str | os.PathLike[str], *, skip_bad: bool = False) -> TapeRead:
    """Read a JSON lines or CSV file (maybe gzipped, told by the extension) into a tape.

    A malformed line raises `DataFileError` naming the file and line, or with
    `skip_bad` is left out and counted. A gzip file cut off (a recorder that was
    killed) raises too, or with `skip_bad` keeps its complete lines and counts
    the cut one. Unreadable or corrupt files always raise. Lines out of time
    order are sorted (stably).
    """
    name = os.fspath(path)
    form = file_format(name)
    parser: Parser = JsonLinesParser() if form.layout is Layout.JSON_LINES else CsvParser()
    collected = _Collector(name, skip_bad)
    with _open(name, form.gzipped) as stream:
        blocks = _LineBlocks(name, stream, salvage=skip_bad)
        for first, lines in blocks:
            if first == 1:
                lines[0] = lines[0].removeprefix(_BOM)
            if parser.header is None or collected.header_seen:
                _parse(parser, first, lines, collected)
            else:
                _parse(parser, *collected.header(parser.header, first, lines), collected)
    if blocks.cut_off:
        collected.problem(blocks.complete + 1, "the file ends early: the gzip data is cut off")
    if blocks.size == 0:
        raise DataFileError(name, "the file is empty")
    return collected.result()


def _parse(parser: Parser, first: int, lines: list[bytes], collected: _Collector) -> None:
    """Parse `lines` (numbered from `first`) whole; after a bad line, in small steps."""
    position, step = 0, len(lines)
    while position < len(lines):
        segment = lines[position : position + step]
        try:
            collected.add(parser.parse(segment))
        except BadLine as bad:
            if bad.before is not None:
                collected.add(bad.before)
            if bad.detail is not None:
                collected.problem(first + position + bad.index, bad.detail)
            position += bad.index + 1
            step = _RETRY
        else:
            position += len(segment)
            step *= 2


class _Collector:
    """The parsed columns so far, the symbol and source tables, and the bad lines."""

    def __init__(self, path: str, skip_bad: bool) -> None:
        self.path = path
        self.skip_bad = skip_bad
        self.header_seen = False
        self.skipped = 0
        self.first_problem: str | None = None
        self._symbols: dict[str, int] = {}
        self._sources: dict[str, int] = {}
        self._parts: list[tuple[Rows, NDArray[np.int32], NDArray[np.int32]]] = []

    def header(self, header: bytes, first: int, lines: list[bytes]) -> tuple[int, list[bytes]]:
        """Check the file's first non-blank line is `header`; the lines after it."""
        for index, line in enumerate(lines):
            if line.strip():
                if line.strip() != header:
                    raise DataFileError(
                        self.path,
                        f"expected the header {header.decode()!r}, found {_shown(line)}",
                        line=first + index,
                    )
                self.header_seen = True
                return first + index + 1, lines[index + 1 :]
        return first + len(lines), []

    def add(self, rows: Rows) -> None:
        symbol = _codes(self._symbols, rows.symbols)
        source = _codes(self._sources, rows.sources)
        self._parts.append((rows, symbol, source))

    def problem(self, line: int, detail: str) -> None:
        if not self.skip_bad:
            raise DataFileError(self.path, detail, line=line)
        self.skipped += 1
        if self.first_problem is None:
            self.first_problem = f"line {line}: {detail}"

    def result(self) -> TapeRead:
        if not any(len(rows.time_ms) for rows, _, _ in self._parts):
            if self.skipped:
                raise DataFileError(
                    self.path,
                    f"no valid price updates: all {self.skipped} were malformed "
                    f"(first at {self.first_problem})",
                )
            raise DataFileError(self.path, "the file holds no price updates")
        tape = Tape(
            tuple(self._symbols),
            tuple(self._sources),
            np.concatenate([rows.time_ms for rows, _, _ in self._parts]),
            np.concatenate([symbol for _, symbol, _ in self._parts]),
            np.concatenate([source for _, _, source in self._parts]),
            np.concatenate([rows.price for rows, _, _ in self._parts]),
            np.concatenate([rows.volume for rows, _, _ in self._parts]),
        )
        if np.any(tape.time_ms[1:] < tape.time_ms[:-1]):
            # Files recorded from several connections can be slightly out of order.
            tape = tape.take(np.argsort(tape.time_ms, kind="stable"))
        return TapeRead(tape, self.skipped, self.first_problem)


def _codes(table: dict[str, int], names: list[str]) -> NDArray[np.int32]:
    """Each name's index in `table`, adding new names in order of first appearance."""
    for name in dict.fromkeys(names):
        if name not in table:
            table[name] = len(table)
    return np.fromiter(map(table.__getitem__, names), dtype=np.int32, count=len(names))


class _LineBlocks:
    """The file's lines in blocks of about `_BLOCK` bytes, each with its first line's number.

    Turns every read failure into a `DataFileError`; for a damaged gzip file it
    says after which line the damage starts.
    """

    def __init__(self, path: str, stream: io.BufferedIOBase, *, salvage: bool = False) -> None:
        self.path = path
        self.size = 0  # bytes of text read so far
        self.cut_off = False  # the gzip data ended early, and `salvage` kept what came before
        self._salvage = salvage
        self._stream = stream
        self._complete = 0  # lines handed out so far

    @property
    def complete(self) -> int:
        """Lines handed out so far."""
        return self._complete

    def __iter__(self) -> Iterator[tuple[int, list[bytes]]]:
        held: list[bytes] = []  # text read since the last block; its last line is incomplete
        held_size, wanted = 0, _BLOCK
        while True:
            data = self._read(held)
            held.append(data)
            held_size += len(data)
            if data and held_size < wanted:
                continue
            text = b"".join(held)
            # At the end the last line counts even without its newline, unless cut off.
            cut = text.rfind(b"\n") + 1 if data or self.cut_off else len(text)
            if data and cut == 0:  # no line ends in the block yet: read on, twice as much
                if held_size > _MAX_LINE:
                    raise DataFileError(
                        self.path, "line is longer than 64 MiB", line=self._complete + 1
                    )
                held, wanted = [text], 2 * held_size
                continue
            held, held_size, wanted = [text[cut:]], len(text) - cut, _BLOCK
            lines = text[:cut].split(b"\n") if cut else []
            if lines and text[cut - 1 : cut] == b"\n":
                lines.pop()  # the empty string after the last newline
            if lines:
                yield self._complete + 1, lines
                self._complete += len(lines)
            if not data:
                return

    def _read(self, held: list[bytes]) -> bytes:
        """The next bytes; `held` is the text read but not yet handed out, to place an error."""
        # read1: one underlying read, so a gzip error loses no text decompressed before it.
        try:
            data = self._stream.read1(_BLOCK)
        except EOFError:
            if self._salvage:
                self.cut_off = True
                return b""
            raise DataFileError(
                self.path, f"the file ends early: the gzip data is cut off {self._after(held)}"
            ) from None
        except (gzip.BadGzipFile, zlib.error) as exc:
            if self.size == 0 and not _starts_as_gzip(self.path):
                raise DataFileError(
                    self.path, "is not gzip data, yet its name ends in .gz"
                ) from None
            raise DataFileError(
                self.path, f"the gzip data is corrupt {self._after(held)} ({exc})"
            ) from None
        except OSError as exc:
            raise DataFileError(self.path, f"cannot read: {describe_os_error(exc)}") from None
        self.size += len(data)
        return data

    def _after(self, held: list[bytes]) -> str:
        complete = self._complete + sum(text.count(b"\n") for text in held)
        return f"after line {complete}" if complete else "within line 1"


def _open(path: str, gzipped: bool) -> io.BufferedIOBase:
    try:
        return gzip.GzipFile(path, "rb") if gzipped else open(path, "rb")
    except OSError as exc:
        raise DataFileError(path, f"cannot open: {describe_os_error(exc)}") from None


def _shown(line: bytes) -> str:
    text = line.strip().decode(errors="replace")
    return repr(text if len(text) <= 60 else text[:57] + "...")


GZIP_MAGIC = b"\x1f\x8b"


def _starts_as_gzip(path: str) -> bool:
    """Whether the file begins with gzip's magic number (read again: the stream has moved)."""
    try:
        with open(path, "rb") as file:
            return file.read(len(GZIP_MAGIC)) == GZIP_MAGIC
    except OSError:
        return True  # unreadable now: report the corruption seen rather than guess
