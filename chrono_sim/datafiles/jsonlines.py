"""The JSON lines layout: each line one `price_update` exactly as the server sends it."""

from __future__ import annotations

from collections.abc import Iterator
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
# ValueError covers UnicodeDecodeError (invalid UTF-8 in a string); RecursionError: deep nesting.
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
        except _DECODE_ERRORS:
            return decoded, BadLine(index, _describe(line) if line.strip() else None)
    raise AssertionError("a line failed to decode, then decoded")  # pragma: no cover


# The JSON kinds a line's fields must have: a `price_update` as on the wire.
_STRING_FIELDS: Final = ("symbol", "timestamp", "source")
_JSON_KINDS: Final = {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}


def _describe(line: bytes) -> str:
    """What is wrong with a line the typed decoder refused, in the file's terms.

    Worked out by checks of our own on the line, never from the wording of the
    decoder's errors, which is the library's to change.
    """
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return "text is not valid UTF-8"
    try:
        value = msgspec.json.decode(line)
    except RecursionError:
        return "malformed JSON: nested too deeply"
    except msgspec.ValidationError:  # untyped decoding validates nothing but number ranges
        return "malformed JSON: a number is out of range"
    except msgspec.DecodeError as exc:
        return f"malformed JSON: {exc}"
    return _describe_shape(value)


def _describe_shape(value: object) -> str:
    """What keeps a decoded JSON value from being a `price_update` line."""
    if not isinstance(value, dict):
        return f"expected a JSON object, found {_kind(value)}"
    # The checks mirror `_Line`, so one of them finds what the typed decoder refused.
    return next(_complaints(value), "not a valid price_update")


def _complaints(line: dict[str, object]) -> Iterator[str]:
    """Each way `line` breaks the shape of a `price_update`, the most telling first."""
    missing = [name for name in ("type", *_STRING_FIELDS, "price", "volume") if name not in line]
    if "type" in line and line["type"] != "price_update":
        yield f"not a price_update (type {line['type']!r})"
    if missing:
        yield f"missing field `{missing[0]}`"
        return
    for name in _STRING_FIELDS:
        if not isinstance(line[name], str):
            yield f"`{name}` must be a string, not {_kind(line[name])}"
    if not _is_number(line["price"]):
        yield f"`price` must be a number, not {_kind(line['price'])}"
    if not (_is_number(line["volume"]) or line["volume"] is None):
        yield f"`volume` must be a number or null, not {_kind(line['volume'])}"


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _kind(value: object) -> str:
    """The JSON kind of a decoded value, as a reader would name it."""
    if value is None:
        return "null"
    return _JSON_KINDS.get(type(value), "a number")
