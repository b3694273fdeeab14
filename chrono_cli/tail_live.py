"""`chrono tail` in a terminal: a Rich live table, redrawn so ages and countdowns move."""

from __future__ import annotations

from rich.console import Console
from rich.live import Live

from chrono_cli.tail_state import TailState
from chrono_cli.tail_view import render
from chrono_sim.client import FeedEvent
from chrono_sim.clock import Clock


class TableSink:
    """A Rich live table, redrawn a few times a second so ages and countdowns move."""

    def __init__(
        self, state: TailState, clock: Clock, title: str, console: Console | None = None
    ) -> None:
        self._state = state
        self._clock = clock
        self._title = title
        self._live = Live(
            get_renderable=lambda: render(self._state, self._clock.monotonic(), self._title),
            console=console,
            refresh_per_second=4,
            redirect_stderr=False,
        )

    def __enter__(self) -> TableSink:
        self._live.__enter__()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._live.__exit__(None, None, None)

    def handle(self, event: FeedEvent) -> None:
        if self._state.apply(event, self._clock.monotonic()):
            self._live.refresh()  # a first price shows now, not up to a redraw period later
