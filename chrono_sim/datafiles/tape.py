"""`Tape`: a run of price updates held in columns, the shape generator, files and replay share.

Column arrays (numpy) rather than one object per update: a day of a 16-symbol
market is ~350,000 updates, which as Python objects would cost ~70 MB and
seconds to build; as columns it is ~10 MB and is made, sliced and written in
vectorised steps. Symbols and exchanges are small integer codes into the
tape's `symbols` and `sources` tables.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from chrono_sim.protocol.quote import Quote

Int64Array = NDArray[np.int64]
Int32Array = NDArray[np.int32]
FloatArray = NDArray[np.float64]


@dataclass(frozen=True, slots=True, eq=False)
class Tape:
    """Price updates in time order, one array per field.

    `time_ms` is Unix epoch milliseconds (the wire's precision); `symbol` and
    `source` index `symbols` and `sources`; a NaN `volume` stands for null.
    The per-symbol `seq` is not stored: whoever publishes or writes the tape
    numbers it.
    """

    symbols: tuple[str, ...]
    sources: tuple[str, ...]
    time_ms: Int64Array
    symbol: Int32Array
    source: Int32Array
    price: FloatArray
    volume: FloatArray

    def __post_init__(self) -> None:
        size = len(self.time_ms)
        columns = (self.symbol, self.source, self.price, self.volume)
        if any(len(column) != size for column in columns):
            raise ValueError("every column of a tape must have the same length")

    @classmethod
    def empty(cls, symbols: Sequence[str] = (), sources: Sequence[str] = ()) -> Tape:
        return cls(
            tuple(symbols),
            tuple(sources),
            np.empty(0, np.int64),
            np.empty(0, np.int32),
            np.empty(0, np.int32),
            np.empty(0, np.float64),
            np.empty(0, np.float64),
        )

    def __len__(self) -> int:
        return len(self.time_ms)

    def take(self, index: slice | NDArray[np.intp] | NDArray[np.bool_]) -> Tape:
        """The updates at `index` (a slice, positions or a mask), same tables."""
        return Tape(
            self.symbols,
            self.sources,
            self.time_ms[index],
            self.symbol[index],
            self.source[index],
            self.price[index],
            self.volume[index],
        )

    def window(self, start_ms: int | None = None, stop_ms: int | None = None) -> Tape:
        """The updates with `start_ms <= time_ms < stop_ms` (either bound may be open)."""
        first = 0 if start_ms is None else int(np.searchsorted(self.time_ms, start_ms, "left"))
        last = len(self) if stop_ms is None else int(np.searchsorted(self.time_ms, stop_ms, "left"))
        return self.take(slice(first, max(first, last)))

    @staticmethod
    def concat(tapes: Sequence[Tape]) -> Tape:
        """The tapes one after another; they must share their symbol and source tables."""
        if not tapes:
            return Tape.empty()
        head = tapes[0]
        if any(t.symbols != head.symbols or t.sources != head.sources for t in tapes[1:]):
            raise ValueError("only tapes with the same symbol and source tables can be joined")
        return Tape(
            head.symbols,
            head.sources,
            np.concatenate([t.time_ms for t in tapes]),
            np.concatenate([t.symbol for t in tapes]),
            np.concatenate([t.source for t in tapes]),
            np.concatenate([t.price for t in tapes]),
            np.concatenate([t.volume for t in tapes]),
        )

    def quotes(self, times: Sequence[float] | None = None) -> list[Quote]:
        """Each update as a `Quote`, for code that wants objects.

        A quote's `time` is its update's, in epoch seconds, unless `times` gives
        one per update (a replay stamping updates with the moment they are sent).
        """
        if times is None:
            times = (self.time_ms / 1000).tolist()
        symbols, sources = self.symbols, self.sources
        rows = zip(
            self.symbol.tolist(),
            self.source.tolist(),
            self.price.tolist(),
            self.volume.tolist(),
            times,
            strict=True,
        )
        isnan = math.isnan  # a NaN volume stands for null
        return [
            Quote(symbols[symbol], price, None if isnan(volume) else volume, sources[source], at)
            for symbol, source, price, volume, at in rows
        ]
