"""What a format's line parser hands the reader: checked columns, or the first bad line."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from chrono_sim.datafiles.timecodec import SHAPE, parse_timestamps
from chrono_sim.errors import ChronoError


@dataclass(frozen=True, slots=True)
class Rows:
    """Valid price updates of consecutive lines, column by column (NaN volume: null)."""

    time_ms: NDArray[np.int64]
    symbols: list[str]
    sources: list[str]
    price: NDArray[np.float64]
    volume: NDArray[np.float64]

    def __len__(self) -> int:
        return len(self.time_ms)

    def head(self, count: int) -> Rows:
        """The first `count` rows."""
        return Rows(
            self.time_ms[:count],
            self.symbols[:count],
            self.sources[:count],
            self.price[:count],
            self.volume[:count],
        )


class BadLine(ChronoError):  # noqa: N818 -- internal signal, never escapes the reader
    """The line at `index` of the parsed lines is malformed (`detail`) or blank (`detail` None).

    Every line before it is well-formed: `before` holds their rows once checked.
    """

    def __init__(self, index: int, detail: str | None) -> None:
        super().__init__(index, detail)
        self.index = index
        self.detail = detail
        self.before: Rows | None = None


def checked_rows(
    timestamps: list[str],
    symbols: list[str],
    sources: list[str],
    prices: list[float],
    volumes: list[float | None],
    *,
    limit: BadLine | None = None,
) -> Rows:
    """The rows if every field is valid, else raise `BadLine` for the first invalid one.

    `limit` is a line that already failed to parse after these rows: it is
    raised if none of the rows is bad, so the earliest problem always wins.
    The `BadLine` raised carries the valid rows before it.
    """
    if limit is not None and not timestamps:
        raise limit  # a run of bad lines: skip the numpy work on no rows
    price = np.array(prices, dtype=np.float64)
    volume = np.array(volumes, dtype=np.float64)  # None becomes NaN
    time_ms, bad_time = parse_timestamps(timestamps)
    bad_price = np.flatnonzero(~(np.isfinite(price) & (price > 0)))
    null = np.isnan(volume)
    bad_volume = np.flatnonzero(~(null | (np.isfinite(volume) & (volume >= 0))))
    candidates = [int(found[0]) for found in (bad_price, bad_volume) if len(found)]
    if bad_time is not None:
        candidates.append(bad_time)
    # A literal NaN volume (CSV "nan") also reads as NaN: only None may stand for null.
    if int(null.sum()) != volumes.count(None):
        candidates.append(next(i for i, v in enumerate(volumes) if v is not None and np.isnan(v)))
    if "" in symbols or "" in sources:
        candidates.append(min(_first_empty(symbols), _first_empty(sources)))
    rows = Rows(time_ms, symbols, sources, price, volume)
    if candidates:
        at = min(candidates)
        limit = BadLine(
            at, _describe(timestamps[at], symbols[at], sources[at], prices[at], volumes[at])
        )
    if limit is not None:
        limit.before = rows.head(limit.index)
        raise limit
    return rows


def _first_empty(texts: list[str]) -> int:
    return texts.index("") if "" in texts else len(texts)


def _describe(timestamp: str, symbol: str, source: str, price: float, volume: float | None) -> str:
    """Why a row is invalid, checking its fields in the order a JSON line holds them."""
    if not symbol:
        return "symbol is empty"
    if not (np.isfinite(price) and price > 0):
        return f"price must be a finite number > 0, not {price!r}"
    if volume is not None and not (np.isfinite(volume) and volume >= 0):
        return f"volume must be null or a finite number >= 0, not {volume!r}"
    if parse_timestamps([timestamp])[1] is not None:
        return f"timestamp {timestamp!r} is not a valid ISO 8601 UTC time {SHAPE}"
    if not source:
        return "source is empty"
    raise AssertionError("row reported invalid without a reason")  # pragma: no cover
