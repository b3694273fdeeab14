"""`chrono tail` in a pipe: one JSON object per price update on stdout, status on stderr."""

from __future__ import annotations

import sys
from typing import TextIO

from chrono_sim.client import Connected, Disconnected, FeedEvent, Price, Retrying, Subscribed
from chrono_sim.timestamps import format_timestamp


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


class JsonLinesSink:
    """One JSON object per price update on stdout, flushed per line; status on stderr."""

    def __init__(
        self, out: TextIO | None = None, err: TextIO | None = None, *, command: str = "tail"
    ) -> None:
        self._out = out or sys.stdout
        self._err = err or sys.stderr
        self._prefix = f"chrono {command}"

    def __enter__(self) -> JsonLinesSink:
        return self

    def __exit__(self, *exc_info: object) -> None:
        pass

    def handle(self, event: FeedEvent) -> None:
        if isinstance(event, Price):
            self._out.write(with_receive_time(event.raw, event.received_at) + "\n")
            self._out.flush()
            if event.missed:
                update = event.update
                self._status(
                    f"missed {event.missed} update(s) of {update.symbol} before seq {update.seq}"
                )
        elif (line := describe(event)) is not None:
            self._status(line)

    def _status(self, line: str) -> None:
        print(f"{self._prefix}: {line}", file=self._err, flush=True)
