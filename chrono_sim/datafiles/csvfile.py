"""The CSV layout: `timestamp,symbol,price,volume,source`, an empty volume cell for null."""

from __future__ import annotations

import csv
from functools import cache
from typing import Final

import numpy as np
from numpy.typing import NDArray

from chrono_sim.datafiles.rows import BadLine, Rows, checked_rows
from chrono_sim.datafiles.tape import Tape
from chrono_sim.datafiles.timecodec import (
    day_pieces,
    hms_table,
    millisecond_pieces,
    split_times,
)
from chrono_sim.datafiles.tokens import number_tokens
from chrono_sim.protocol.messages import PriceUpdate

COLUMNS: Final = ("timestamp", "symbol", "price", "volume", "source")
HEADER: Final = ",".join(COLUMNS).encode()
_PARTS: Final = 8  # pieces joined per line, see `CsvCodec.encode_chunk`


def csv_cell(text: str) -> str:
    """`text` as a CSV cell, quoted only when it holds a comma, quote or line break."""
    if any(special in text for special in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


class CsvCodec:
    """Turns tapes and received updates into CSV lines (no `seq` column)."""

    header: Final = HEADER + b"\n"
    numbers_seq: Final = False

    def __init__(self) -> None:
        self._tables: tuple[tuple[str, ...], tuple[str, ...]] | None = None
        self._symbols: NDArray[np.object_] = np.empty(0, dtype=object)
        self._sources: NDArray[np.object_] = np.empty(0, dtype=object)

    def encode_chunk(self, tape: Tape, seq: NDArray[np.int64] | None) -> bytes:
        """Lines for every update of `tape`, joined from 8 looked-up or column-encoded pieces."""
        symbols, sources = self._lookups(tape.symbols, tape.sources)
        size = len(tape)
        days, second, millisecond = split_times(tape.time_ms)
        dates, day_index = day_pieces(days, "", "T")
        volumes = number_tokens(tape.volume.tolist())
        for index in np.flatnonzero(np.isnan(tape.volume)).tolist():
            volumes[index] = ""  # null: msgspec wrote `null`
        parts: list[str] = [""] * (_PARTS * size)
        parts[0::_PARTS] = dates[day_index].tolist()
        parts[1::_PARTS] = hms_table()[second].tolist()
        parts[2::_PARTS] = _millis_then_comma()[millisecond].tolist()
        parts[3::_PARTS] = symbols[tape.symbol].tolist()
        parts[4::_PARTS] = number_tokens(tape.price.tolist())
        parts[5::_PARTS] = [","] * size
        parts[6::_PARTS] = volumes
        parts[7::_PARTS] = sources[tape.source].tolist()
        return "".join(parts).encode()

    def encode_update(self, update: PriceUpdate) -> bytes:
        """The line of one received update (its `seq` and `snapshot` have no column)."""
        price, volume = number_tokens([update.price, update.volume])
        cells = (
            csv_cell(update.timestamp),
            csv_cell(update.symbol),
            price,
            "" if update.volume is None else volume,
            csv_cell(update.source),
        )
        return (",".join(cells) + "\n").encode()

    def _lookups(
        self, symbols: tuple[str, ...], sources: tuple[str, ...]
    ) -> tuple[NDArray[np.object_], NDArray[np.object_]]:
        if self._tables != (symbols, sources):
            self._symbols = np.array([csv_cell(s) + "," for s in symbols], dtype=object)
            self._sources = np.array(["," + csv_cell(s) + "\n" for s in sources], dtype=object)
            self._tables = (symbols, sources)
        return self._symbols, self._sources


@cache
def _millis_then_comma() -> NDArray[np.object_]:
    return millisecond_pieces(["Z,"])


class CsvParser:
    """Parses the lines after the header of a CSV file into checked rows."""

    header: Final[bytes | None] = HEADER

    def parse(self, lines: list[bytes]) -> Rows:
        """The updates of `lines`, or `BadLine` for the first line that is blank or malformed."""
        cells, failure = _split(lines)
        try:
            prices = [float(row[2]) for row in cells]
            volumes = [float(row[3]) if row[3] else None for row in cells]
        except ValueError:
            index, detail = _first_bad_number(cells)
            cells, failure = cells[:index], BadLine(index, detail)
            prices = [float(row[2]) for row in cells]
            volumes = [float(row[3]) if row[3] else None for row in cells]
        return checked_rows(
            [row[0] for row in cells],
            [row[1] for row in cells],
            [row[4] for row in cells],
            prices,
            volumes,
            limit=failure,
        )


def _split(lines: list[bytes]) -> tuple[list[list[str]], BadLine | None]:
    """The five cells of each line up to the first bad one, and that line's `BadLine`."""
    try:
        cells = list(csv.reader([line.decode() for line in lines], strict=True))
    except (UnicodeDecodeError, csv.Error):
        pass
    else:
        # One row per line, each of five cells: no blank line and no quote spanning lines.
        if len(cells) == len(lines) and all(len(row) == len(COLUMNS) for row in cells):
            return cells, None
    cells = []
    for index, line in enumerate(lines):
        if not line.strip():
            return cells, BadLine(index, None)
        try:
            row = next(csv.reader([line.decode()], strict=True))
        except UnicodeDecodeError:
            return cells, BadLine(index, "text is not valid UTF-8")
        except csv.Error as exc:
            return cells, BadLine(index, f"malformed CSV: {exc}")
        if len(row) != len(COLUMNS):
            return cells, BadLine(
                index, f"expected {len(COLUMNS)} cells ({HEADER.decode()}), found {len(row)}"
            )
        cells.append(row)
    raise AssertionError("lines failed to split, then split")  # pragma: no cover


def _first_bad_number(cells: list[list[str]]) -> tuple[int, str]:
    for index, row in enumerate(cells):
        for column, text in ((2, row[2]), (3, row[3])):
            if column == 3 and not text:
                continue
            try:
                float(text)
            except ValueError:
                return index, f"{COLUMNS[column]} {text!r} is not a number"
    raise AssertionError("a number failed to parse, then parsed")  # pragma: no cover
