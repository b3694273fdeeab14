"""A source that plays a fixed list of quotes: the fake every test can rely on."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

from chrono_sim.protocol.catalog import Catalog
from chrono_sim.protocol.quote import Quote


class ScriptedSource:
    """Plays `(due, quote)` pairs in order; `due` is a `Clock.monotonic()` reading."""

    client_paced = False
    waits_for_subscriber = False

    def __init__(self, catalog: Catalog, script: Iterable[tuple[float, Quote]] = ()) -> None:
        self._catalog = catalog
        self._script = deque(sorted(script, key=lambda item: item[0]))
        for _, quote in self._script:
            if quote.symbol not in catalog:
                raise ValueError(f"scripted quote for {quote.symbol}, which is not in the catalog")

    @property
    def catalog(self) -> Catalog:
        return self._catalog

    def next_due(self) -> float | None:
        return self._script[0][0] if self._script else None

    def pop_due(self, now: float) -> list[Quote]:
        due: list[Quote] = []
        while self._script and self._script[0][0] <= now:
            due.append(self._script.popleft()[1])
        return due
