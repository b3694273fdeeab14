"""Column-at-a-time helpers for the writers: number text exactly as msgspec writes it, and `seq`.

The writers build text as `str` pieces: `"".join` of ASCII strings is about
three times cheaper per piece than `b"".join` of bytes, which pays for the
one `.encode()` of each chunk many times over.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Final

import msgspec
import numpy as np
from numpy.typing import NDArray

_encoder: Final = msgspec.json.Encoder()
# Integers below this come from a table (~8 MB, built on first use): a day of one symbol
# at one update a second stays under it.
_SMALL_INTS: Final = 1 << 17


def number_tokens(values: Sequence[float | int | None]) -> list[str]:
    """Each number as the JSON text msgspec gives it (`95000.12`, `1e-6`, NaN as `null`).

    One `encode` of the whole list and a split on its commas, instead of one
    call per number: the text is byte for byte what encoding a message writes.
    """
    if not values:
        return []
    return _encoder.encode(values)[1:-1].decode().split(",")


def int_tokens(values: NDArray[np.int64]) -> list[str]:
    """Each non-negative integer as decimal text, from a table where it can."""
    small = values < _SMALL_INTS
    tokens: list[str] = _int_table()[np.where(small, values, 0)].tolist()
    if not small.all():
        large = np.flatnonzero(~small)
        for index, token in zip(large.tolist(), number_tokens(values[large].tolist()), strict=True):
            tokens[index] = token
    return tokens


@cache
def _int_table() -> NDArray[np.object_]:
    return np.array([str(value) for value in range(_SMALL_INTS)], dtype=object)


def json_string(text: str) -> str:
    """`text` as a JSON string literal, quoted and escaped as msgspec writes it."""
    return _encoder.encode(text).decode()


class SeqCounter:
    """The per-symbol `seq` numbering of a stream of updates (first update of a symbol is 1).

    Keyed by symbol name, so the count goes on across tapes with different tables.
    """

    def __init__(self) -> None:
        self._last: dict[str, int] = {}

    def note(self, symbol: str, seq: int) -> None:
        """Record that `symbol`'s latest update carried `seq`; the next one gets `seq + 1`."""
        self._last[symbol] = seq

    def offsets(self, symbols: Sequence[str]) -> NDArray[np.int64]:
        """The last `seq` given to each symbol of a tape's table (0 for a new one)."""
        return np.array([self._last.get(name, 0) for name in symbols], dtype=np.int64)

    def number(self, codes: NDArray[np.int32], offsets: NDArray[np.int64]) -> NDArray[np.int64]:
        """The `seq` of each update of a chunk; advances `offsets` (one per symbol code) past it.

        The rank of each update among its symbol's updates in the chunk comes from a
        stable sort by code: int16 keys get numpy's radix sort, about 20 ns an update
        whatever the number of symbols.
        """
        size = len(codes)
        keys = codes.astype(np.int16) if len(offsets) <= np.iinfo(np.int16).max else codes
        order = np.argsort(keys, kind="stable")
        counts = np.bincount(codes, minlength=len(offsets))
        starts = np.cumsum(counts) - counts
        rank = np.empty(size, dtype=np.int64)
        rank[order] = np.arange(size, dtype=np.int64) - np.repeat(starts, counts)
        seq: NDArray[np.int64] = offsets[codes] + rank + 1
        offsets += counts
        return seq

    def store(self, symbols: Sequence[str], offsets: NDArray[np.int64]) -> None:
        """Keep the counts reached by `offsets` (as returned by `offsets` and advanced)."""
        for name, last in zip(symbols, offsets.tolist(), strict=True):
            self._last[name] = last
