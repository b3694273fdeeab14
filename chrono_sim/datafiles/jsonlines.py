"""The JSON lines layout: each line one `price_update` exactly as the server sends it."""

from __future__ import annotations

from typing import Final, Literal

import msgspec
import numpy as np
from msgspec import UNSET, Struct
from numpy.typing import NDArray

from chrono_sim.datafiles.rows import BadLine, Rows, checked_rows
from chrono_sim.datafiles.tape import Tape
from chrono_sim.datafiles.timecodec import (
    day_pieces,
    hms_table,
    millisecond_pieces,
    split_times,
)
from chrono_sim.datafiles.tokens import int_tokens, json_string, number_tokens
from chrono_sim.protocol.messages import PriceUpdate, encode

_PARTS: Final = 8  # pieces joined per line, see `JsonLinesCodec.encode_chunk`


class JsonLinesCodec:
    """Turns tapes and received updates into JSON lines, byte-identical to the hub's frames."""

    header: Final = b""
    numbers_seq: Final = True

    def __init__(self) -> None:
        self._tables: tuple[tuple[str, ...], tuple[str, ...]] | None = None
        self._heads: NDArray[np.object_] = np.empty(0, dtype=object)
        self._tails: NDArray[np.object_] = np.empty(0, dtype=object)

    def encode_chunk(self, tape: Tape, seq: NDArray[np.int64] | None) -> bytes:
        """Lines for every update of `tape` (a few thousand: the pieces stay in the CPU cache).

        A line is joined from 8 pieces, each looked up in a table or cut from one
        msgspec encode of a whole column (`number_tokens`), so no Python code runs
        per update. Each symbol's piece starts with the `}\n` ending the line
        before it, which saves a piece per line.
        """
        assert seq is not None
        heads, tails = self._lookups(tape.symbols, tape.sources)
        size = len(tape)
        days, second, millisecond = split_times(tape.time_ms)
        dates, day_index = day_pieces(days, ',"timestamp":"', "T")
        parts: list[str] = [""] * (_PARTS * size)
        parts[0::_PARTS] = heads[tape.symbol].tolist()
        parts[1::_PARTS] = number_tokens(tape.price.tolist())
        parts[2::_PARTS] = [',"volume":'] * size
        parts[3::_PARTS] = number_tokens(tape.volume.tolist())
        parts[4::_PARTS] = dates[day_index].tolist()
        parts[5::_PARTS] = hms_table()[second].tolist()
        parts[6::_PARTS] = tails[millisecond * len(tape.sources) + tape.source].tolist()
        parts[7::_PARTS] = int_tokens(seq)
        parts[0] = parts[0][2:]
        parts.append("}\n")
        return "".join(parts).encode()

    def encode_update(self, update: PriceUpdate) -> bytes:
        """The line of one received update: its own `seq`, without the `snapshot` flag."""
        if update.snapshot is not UNSET:
            update = msgspec.structs.replace(update, snapshot=UNSET)
        return encode(update) + b"\n"

    def _lookups(
        self, symbols: tuple[str, ...], sources: tuple[str, ...]
    ) -> tuple[NDArray[np.object_], NDArray[np.object_]]:
        # Built once per pair of tables (sources are a few exchanges: 1,000 x sources is small).
        if self._tables != (symbols, sources):
            self._heads = np.array(
                [
                    '}\n{"type":"price_update","symbol":' + json_string(s) + ',"price":'
                    for s in symbols
                ],
                dtype=object,
            )
            self._tails = millisecond_pieces(
                [f'Z","source":{json_string(source)},"seq":' for source in sources]
            )
            self._tables = (symbols, sources)
        return self._heads, self._tails


class _Line(Struct, gc=False):
    """The fields a line must have; others (`seq`, `snapshot`, `received_at`...) are ignored."""

    type: Literal["price_update"]
    symbol: str
    price: float
    volume: float | None
    timestamp: str
    source: str


_decoder: Final = msgspec.json.Decoder(_Line)
# UnicodeDecodeError (a ValueError): invalid UTF-8 in a string; RecursionError: deep nesting.
_DECODE_ERRORS: Final = (msgspec.DecodeError, ValueError, RecursionError)


class JsonLinesParser:
    """Parses lines of a JSON lines file into checked rows."""

    header: Final[bytes | None] = None

    def parse(self, lines: list[bytes]) -> Rows:
        """The updates of `lines`, or `BadLine` for the first line that is blank or malformed."""
        decode = _decoder.decode
        failure = None
        try:
            decoded = [decode(line) for line in lines]
        except _DECODE_ERRORS:
            decoded, failure = _decode_until_bad(lines)
        return checked_rows(
            [line.timestamp for line in decoded],
            [line.symbol for line in decoded],
            [line.source for line in decoded],
            [line.price for line in decoded],
            [line.volume for line in decoded],
            limit=failure,
        )


def _decode_until_bad(lines: list[bytes]) -> tuple[list[_Line], BadLine]:
    decoded: list[_Line] = []
    for index, line in enumerate(lines):
        try:
            decoded.append(_decoder.decode(line))
        except _DECODE_ERRORS as exc:
            return decoded, BadLine(index, _describe(exc) if line.strip() else None)
    raise AssertionError("a line failed to decode, then decoded")  # pragma: no cover


def _describe(exc: Exception) -> str:
    """msgspec's complaint about a line, in the file's terms."""
    if isinstance(exc, UnicodeDecodeError):
        return "text is not valid UTF-8"
    if isinstance(exc, RecursionError):
        return "malformed JSON: nested too deeply"
    detail = str(exc)
    if isinstance(exc, msgspec.ValidationError):
        return _describe_invalid(detail)
    if detail == "Input data was truncated":
        return "malformed JSON: the line ends in the middle of a value"
    return "malformed JSON: " + detail.removeprefix("JSON is malformed: ")


def _describe_invalid(detail: str) -> str:
    """A msgspec validation error (valid JSON, wrong shape) in the file's terms."""
    if "`$.type`" in detail and detail.startswith("Invalid enum value"):
        found = detail.removeprefix("Invalid enum value ").split(" - at")[0]
        return f"not a price_update (type {found})"
    if detail.startswith("Object missing required field"):
        return "missing field " + detail.rsplit(" ", 1)[-1]
    return detail
