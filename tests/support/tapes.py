"""Tapes written by hand for tests: rows of `(time_ms, symbol, price[, source, volume])`."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from chrono_sim.datafiles.tape import Tape

# 2025-10-10T14:30:00.000Z in epoch milliseconds: where the test tapes begin.
T0 = 1_760_106_600_000

Row = tuple[int, str, float] | tuple[int, str, float, str, float | None]


def tape_of(rows: Sequence[Row]) -> Tape:
    """A tape of `(time_ms, symbol, price[, source, volume])` rows; the default source is
    coinbase and the default volume 100."""
    full = [row if len(row) == 5 else (*row, "coinbase", 100.0) for row in rows]
    symbols = tuple(dict.fromkeys(row[1] for row in full))
    sources = tuple(dict.fromkeys(row[3] for row in full))
    return Tape(
        symbols,
        sources,
        np.array([row[0] for row in full], np.int64),
        np.array([symbols.index(row[1]) for row in full], np.int32),
        np.array([sources.index(row[3]) for row in full], np.int32),
        np.array([row[2] for row in full], np.float64),
        np.array([math.nan if row[4] is None else row[4] for row in full], np.float64),
    )


def evenly(count: int, gap_ms: int, symbols: Sequence[str] = ("BTC/USD",)) -> Tape:
    """`count` updates `gap_ms` apart from T0, cycling through `symbols`; price i is 1 + i."""
    return tape_of([(T0 + i * gap_ms, symbols[i % len(symbols)], 1.0 + i) for i in range(count)])
