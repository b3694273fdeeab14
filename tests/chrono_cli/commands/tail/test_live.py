"""`chrono tail`'s live table as it is left on screen when the run ends."""

from __future__ import annotations

import io

from rich.console import Console

from chrono_cli.commands.tail.live import TableSink
from chrono_cli.commands.tail.state import TailState
from chrono_sim.client import Connected, Subscribed
from chrono_sim.errors import AuthenticationError, RequestRefusedError
from chrono_sim.protocol.clock import ManualClock

URL = "ws://localhost:3000/stream"


def last_screen(error: Exception) -> str:
    """What stays on screen after a run that connected, subscribed, then ended with `error`."""
    console = Console(file=io.StringIO(), width=100, color_system=None, force_terminal=False)
    sink = TableSink(TailState(("BTC/USD",)), ManualClock(), URL, console)
    sink.__enter__()
    sink.handle(Connected(URL, 0))
    sink.handle(Subscribed(("BTC/USD",)))
    sink.__exit__(type(error), error, None)  # as `run_feed`'s `with sink:` leaves on the error
    output = console.file.getvalue()  # type: ignore[attr-defined]
    assert isinstance(output, str)
    return output


def test_a_refused_api_key_does_not_leave_connected_on_screen() -> None:
    screen = last_screen(AuthenticationError("Authentication failed: unknown API key"))

    assert "connected" not in screen
    assert "✖ stopped: API key refused" in screen


def test_a_refused_request_does_not_leave_connected_on_screen() -> None:
    refused = RequestRefusedError("unknown symbol", code="UNKNOWN_SYMBOL", symbols=("X",))

    screen = last_screen(refused)

    assert "connected" not in screen
    assert "✖ stopped: request refused (UNKNOWN_SYMBOL)" in screen
