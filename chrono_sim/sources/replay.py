"""`ReplaySource`: plays a recorded `Tape` against the clock, keeping its rhythm.

Update i of pass k is due `(k * period + t_i - t_0) / speed` seconds after the
schedule starts, which is the first time the source is asked (`next_due` or
`pop_due`): in a server, once the first client subscribes
(`waits_for_subscriber`), not when the file was read.
The period of a loop is the tape's span plus one average gap, so the first
update of a pass does not land on the last of the one before.

Timestamps are rebased by default: an update is stamped with the wall time it
falls due, so clients see a live feed. With `keep_timestamps` it keeps the
recorded time, moved forward by a whole period per pass so time never runs
backwards. `seq` is not the source's business: the hub keeps numbering.

Quotes are made from the tape's columns only when they fall due; a day file
holds ~350,000 updates, too many to turn into objects up front.
"""

from __future__ import annotations

import math

import numpy as np

from chrono_sim.datafiles.tape import FloatArray, Int64Array, Tape
from chrono_sim.errors import ConfigError
from chrono_sim.protocol.catalog import Catalog
from chrono_sim.protocol.clock import Clock
from chrono_sim.protocol.quote import Quote
from chrono_sim.sources.base import CLIENT_PACED_BATCH
from chrono_sim.sources.tape_catalog import catalog_from_tape

# Most quotes one paced `pop_due` hands out: at absurd speeds everything is due at once,
# and the pump must get back to the event loop between batches.
PACED_BATCH = 4096
# The period of a tape whose updates all share one instant (e.g. a single update).
INSTANT_TAPE_PERIOD_MS = 1000


def loop_period_ms(time_ms: Int64Array) -> int:
    """Milliseconds of tape time from one pass's first update to the next pass's first."""
    span = int(time_ms[-1] - time_ms[0]) if len(time_ms) else 0
    if span <= 0:
        return INSTANT_TAPE_PERIOD_MS
    return span + max(1, round(span / (len(time_ms) - 1)))


class ReplaySource:
    """A `PriceSource` that plays `tape` at `speed` times real time; `speed=None` is max.

    At max speed the source is client-paced: `next_due()` is always now and
    `pop_due` hands out at most `CLIENT_PACED_BATCH` quotes a call, so the
    feed can publish only as fast as subscribers drain. Paced, `pop_due`
    returns everything due; a pump that falls a whole loop period behind (a
    suspended laptop) skips the passes it missed instead of bursting them.
    Raises `ConfigError` for an empty tape or a speed that is not positive.
    """

    waits_for_subscriber = True  # the first subscriber sees the tape from its beginning

    def __init__(
        self,
        tape: Tape,
        *,
        clock: Clock,
        speed: float | None = 1.0,
        loop: bool = False,
        keep_timestamps: bool = False,
    ) -> None:
        if not len(tape):
            raise ConfigError("nothing to replay: the tape holds no price update")
        if speed is not None and not (math.isfinite(speed) and speed > 0):
            raise ConfigError(f"speed must be a positive number or max, not {speed}")
        if np.any(np.diff(tape.time_ms) < 0):
            raise ValueError("a tape must be in time order")
        self._tape = tape
        self._clock = clock
        self.speed = speed
        self.loop = loop
        self.keep_timestamps = keep_timestamps
        self._catalog = catalog_from_tape(tape)
        self.period_ms = loop_period_ms(tape.time_ms)
        self._period = self.period_ms / 1000.0
        self._offsets: FloatArray = (tape.time_ms - tape.time_ms[0]) / 1000.0
        self._index = 0  # the next update to hand out
        self._pass = 0
        self._started = False
        self._start_monotonic = 0.0
        self._start_wall = 0.0
        self._due: FloatArray = self._offsets  # monotonic due times of this pass, once started

    @property
    def catalog(self) -> Catalog:
        return self._catalog

    @property
    def client_paced(self) -> bool:
        """True at max speed: publish only while subscribers have room (see `feed.pump`)."""
        return self.speed is None

    def next_due(self) -> float | None:
        if self._index >= len(self._tape):
            return None
        self._start()
        if self.speed is None:
            return self._clock.monotonic()
        return float(self._due[self._index])

    def pop_due(self, now: float) -> list[Quote]:
        self._start()
        size = len(self._tape)
        if self.speed is None:
            if self._index >= size:
                return []
            stop = min(self._index + CLIENT_PACED_BATCH, size)
            quotes = self._quotes(stop, now)
            self._advance(stop, now)
            return quotes
        quotes = []
        while self._index < size and len(quotes) < PACED_BATCH:
            # The same array answers next_due, so "due at or before now" agrees exactly.
            stop = int(np.searchsorted(self._due, now, side="right"))
            stop = min(stop, self._index + PACED_BATCH - len(quotes))
            if stop <= self._index:
                break
            quotes.extend(self._quotes(stop, now))
            self._advance(stop, now)
        return quotes

    # --- internals ------------------------------------------------------------

    def _start(self) -> None:
        if not self._started:
            self._started = True
            self._start_monotonic = self._clock.monotonic()
            self._start_wall = self._clock.time()
            self._schedule_pass()

    def _schedule_pass(self) -> None:
        if self.speed is not None:
            self._due = self._start_monotonic + self._pass_offsets() / self.speed

    def _pass_offsets(self, start: int = 0, stop: int | None = None) -> FloatArray:
        """Seconds of tape time from the first update of pass 0 to each update of this pass."""
        return self._pass * self._period + self._offsets[start:stop]

    def _advance(self, stop: int, now: float) -> None:
        self._index = stop
        if stop < len(self._tape) or not self.loop:
            return
        self._index = 0
        passes_behind = 0
        if self.speed is not None:
            passes_behind = int((now - self._start_monotonic) * self.speed / self._period)
        self._pass = max(self._pass + 1, passes_behind)
        self._schedule_pass()

    def _quotes(self, stop: int, now: float) -> list[Quote]:
        """Quotes for updates `self._index` to `stop` of this pass, collected at `now`."""
        start, tape = self._index, self._tape
        times: list[float]
        if self.keep_timestamps:
            shift = self._pass * self.period_ms  # whole milliseconds: stays on the wire's grid
            times = ((tape.time_ms[start:stop] + shift) / 1000.0).tolist()
        elif self.speed is None:
            times = [self._start_wall + (now - self._start_monotonic)] * (stop - start)
        else:
            times = (self._start_wall + self._pass_offsets(start, stop) / self.speed).tolist()
        return tape.take(slice(start, stop)).quotes(times)
