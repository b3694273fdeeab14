"""`chrono tail` in a terminal: a Rich live table, redrawn so ages and countdowns move."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from rich.console import Console
from rich.live import Live

from chrono_cli.commands.tail.faults import summary
from chrono_cli.commands.tail.json_sink import ended_normally
from chrono_cli.commands.tail.state import TailState
from chrono_cli.commands.tail.view import render
from chrono_sim.client import FeedEvent
from chrono_sim.errors import AuthenticationError, RequestRefusedError, ServerUnreachableError
from chrono_sim.protocol.clock import Clock

if TYPE_CHECKING:
    from types import TracebackType


class TableSink:
    """A Rich live table, redrawn a few times a second so ages and countdowns move.

    Leaving prints a one-line summary of the faults seen on stderr, under the table.
    """

    def __init__(
        self,
        state: TailState,
        clock: Clock,
        title: str,
        console: Console | None = None,
        *,
        command: str = "tail",
    ) -> None:
        self._state = state
        self._clock = clock
        self._title = title
        self._widths: dict[str, int] = {}  # each column's widest cell so far (see `render`)
        self._command = command
        self._live = Live(
            get_renderable=lambda: render(
                self._state, self._clock.monotonic(), self._title, self._widths
            ),
            console=console,
            refresh_per_second=4,
            redirect_stderr=False,
        )

    def __enter__(self) -> TableSink:
        self._live.__enter__()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if exc is not None and not ended_normally(exc):
            # Refused for good: the last screen must not show the link as it was before.
            self._state.stop(_why_stopped(exc))
        self._live.__exit__(None, None, None)  # draws the screen one last time
        faults = self._state.faults
        if faults.connections and ended_normally(exc):
            print(f"chrono {self._command}: {summary(faults)}", file=sys.stderr, flush=True)

    def handle(self, event: FeedEvent) -> None:
        if self._state.apply(event, self._clock.monotonic()):
            self._live.refresh()  # a first price shows now, not up to a redraw period later
        self._state.faults.observe(event, self._clock.time())


def _why_stopped(exc: BaseException) -> str:
    """A few words for the status line; the error line under the table says the rest."""
    if isinstance(exc, AuthenticationError):
        return "API key refused"
    if isinstance(exc, RequestRefusedError):
        return f"request refused ({exc.code})"
    if isinstance(exc, ServerUnreachableError):
        return "cannot connect"
    return "error"
