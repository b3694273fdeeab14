"""`chrono tail` in a pipe: one JSON object per price update on stdout, status on stderr."""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING, TextIO

from chrono_cli.commands.tail.faults import describe_finding, summary
from chrono_sim.client import Connected, Disconnected, FeedEvent, Price, Retrying, Subscribed
from chrono_sim.client.ledger import FaultLedger
from chrono_sim.errors import ChronoError
from chrono_sim.protocol.timestamps import format_timestamp

if TYPE_CHECKING:
    from types import TracebackType


def with_receive_time(raw: str, received_at: float) -> str:
    """The update exactly as received, plus a `received_at` field (local clock)."""
    body = raw.rstrip()
    if not body.endswith("}"):
        raise ValueError("a price_update must be a JSON object")
    return f'{body[:-1]},"received_at":"{format_timestamp(received_at)}"}}'


def describe(event: FeedEvent) -> str | None:
    """The stderr status line for a non-price event, if it deserves one."""
    if isinstance(event, Connected):
        return f"connected to {event.url}"
    if isinstance(event, Subscribed):
        return f"subscribed to {', '.join(event.symbols)}"
    if isinstance(event, Disconnected):
        return f"disconnected: {event.reason}"
    if isinstance(event, Retrying):
        return f"reconnecting in {event.delay:.1f}s (attempt {event.attempt})"
    return None


def ended_normally(exc: BaseException | None) -> bool:
    """A run that got to its end (count, duration, Ctrl-C, a closed pipe), not refused."""
    return not isinstance(exc, ChronoError)  # a refusal is the one line that matters then


class JsonLinesSink:
    """One JSON object per price update on stdout, flushed per line; status and faults on stderr.

    Each fault seen is a stderr line as it happens, and leaving prints a one-line
    summary of them all (if a connection was ever made).
    """

    def __init__(
        self,
        out: TextIO | None = None,
        err: TextIO | None = None,
        *,
        command: str = "tail",
        faults: FaultLedger | None = None,
    ) -> None:
        self._out = out or sys.stdout
        self._err = err or sys.stderr
        self._prefix = f"chrono {command}"
        self.faults = faults or FaultLedger()

    def __enter__(self) -> JsonLinesSink:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self.faults.connections and ended_normally(exc):
            self._status(summary(self.faults))

    def handle(self, event: FeedEvent) -> None:
        if isinstance(event, Price):
            self._out.write(with_receive_time(event.raw, event.received_at) + "\n")
            self._out.flush()
            now = event.received_at
        else:
            if (line := describe(event)) is not None:
                self._status(line)
            now = time.time()
        for finding in self.faults.observe(event, now):
            if (line := describe_finding(finding)) is not None:
                self._status(line)

    def _status(self, line: str) -> None:
        print(f"{self._prefix}: {line}", file=self._err, flush=True)
