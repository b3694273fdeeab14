"""The locust suite's pure logic: no locust, no sockets, no gevent.

Kept apart from `locustfile.py` so `tests/loadtests/test_chrono_load.py` runs it in the
normal test suite, where locust is not installed.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

from chrono_sim.client.urls import sibling_url
from chrono_sim.protocol.keys import ApiKey
from chrono_sim.protocol.timestamps import parse_timestamp

DEFAULT_URL = "ws://127.0.0.1:3000/stream"
MAX_SYMBOLS = 10  # per connection, from the protocol document
LOAD_KEY_PREFIX = "load-"


class Probe(enum.StrEnum):
    """The limit probes, each reported as a PROBE entry named `entry`."""

    CONNECTIONS = "connections per key"
    SYMBOLS = "symbols per connection"
    RATE = "request rate per key"
    IDLE = "idle timeout"

    @property
    def entry(self) -> str:
        """The name in locust's stats; the common prefix keeps the probes together there."""
        return f"limit: {self.value}"

    @property
    def key_name(self) -> str:
        """The `name` of the key this probe uses in the keys file, e.g. `probe-rate`."""
        return f"probe-{self.name.lower()}"


# --- addresses -------------------------------------------------------------------


def stream_url(host: str | None) -> str:
    """The WebSocket URL to load: locust's `--host`, with `/stream` when it has no path."""
    if not host:
        return DEFAULT_URL
    parts = urlsplit(host)
    if parts.scheme not in ("ws", "wss"):
        raise ValueError(f"--host {host!r}: expected a ws:// or wss:// URL")
    if parts.path in ("", "/"):
        parts = parts._replace(path="/stream")
    return urlunsplit(parts)


def symbols_url(stream: str) -> str:
    """Where the catalog is: `ws://h:p/x/stream` -> `http://h:p/x/symbols` (query dropped)."""
    return sibling_url(stream, "symbols")


def parse_catalog(document: object) -> list[str]:
    """Symbol names from a GET /symbols body (`{"symbols": [{"symbol": ...}, ...]}`)."""
    entries = document.get("symbols") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise ValueError("expected an object with a `symbols` list")
    names = [entry.get("symbol") for entry in entries if isinstance(entry, dict)]
    return [name for name in names if isinstance(name, str) and name]


def parse_symbol_list(text: str) -> list[str]:
    """The `--symbols` option: comma-separated names, blanks dropped."""
    return [name.strip() for name in text.split(",") if name.strip()]


# --- latency -----------------------------------------------------------------------


def latency_ms(received_at: float, timestamp: str) -> int:
    """Receive time (Unix seconds, local clock) minus the update's `timestamp`, in whole ms.

    Timestamps have millisecond resolution, so the result does too. It is negative
    when the server's clock runs ahead of ours.
    """
    return math.floor(received_at * 1000) - round(parse_timestamp(timestamp) * 1000)


# --- keys ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SuiteKeys:
    """The keys file split by role: `load-*` keys for feed users, one `probe-*` key per probe."""

    load: tuple[ApiKey, ...]
    probes: dict[Probe, ApiKey]

    @classmethod
    def from_keys(cls, keys: Iterable[ApiKey]) -> SuiteKeys:
        keys = list(keys)
        by_name = {api_key.name: api_key for api_key in keys}
        load = tuple(k for k in keys if k.name.startswith(LOAD_KEY_PREFIX))
        probes = {probe: by_name[probe.key_name] for probe in Probe if probe.key_name in by_name}
        return cls(load=load, probes=probes)

    @property
    def feed_capacity(self) -> int:
        """How many feed users the load keys hold at once."""
        return sum(api_key.max_connections for api_key in self.load)


class KeyPool:
    """Hands each feed user a load key that still has a free connection slot.

    The least-used key first, so users spread evenly and none is refused
    `CONNECTION_LIMIT`. Counts are per locust process.
    """

    def __init__(self, keys: Iterable[ApiKey]) -> None:
        self._held: dict[str, int] = {}
        self._keys = {api_key.key: api_key for api_key in keys}
        for key in self._keys:
            self._held[key] = 0

    def acquire(self) -> ApiKey | None:
        """A key for one more connection, or None when every load key is full."""
        free = [k for k in self._keys.values() if self._held[k.key] < k.max_connections]
        if not free:
            return None
        chosen = min(free, key=lambda k: self._held[k.key] / k.max_connections)
        self._held[chosen.key] += 1
        return chosen

    def release(self, api_key: ApiKey) -> None:
        if self._held.get(api_key.key, 0) > 0:
            self._held[api_key.key] -= 1

    def held(self, api_key: ApiKey) -> int:
        return self._held.get(api_key.key, 0)


# --- probes ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Verdict:
    passed: bool
    detail: str


@dataclass(slots=True)
class ProbeBook:
    """Which probes this run expects, what each found, and what that means for the exit code.

    A probe expected but without a result (its user never spawned, or the run
    ended first) fails the run just like a probe that found a broken limit.
    """

    expected: set[Probe] = field(default_factory=set)
    results: dict[Probe, Verdict] = field(default_factory=dict)
    skipped: dict[Probe, str] = field(default_factory=dict)

    def expect(self, probe: Probe) -> None:
        self.expected.add(probe)

    def skip(self, probe: Probe, why: str) -> None:
        self.expected.discard(probe)
        self.skipped[probe] = why

    def record(self, probe: Probe, verdict: Verdict) -> None:
        self.results[probe] = verdict

    @property
    def not_run(self) -> list[Probe]:
        return [probe for probe in Probe if probe in self.expected and probe not in self.results]

    @property
    def failed(self) -> list[Probe]:
        return [probe for probe, verdict in self.results.items() if not verdict.passed]

    @property
    def ok(self) -> bool:
        return not self.failed and not self.not_run

    def report(self, *, ended: bool = True) -> list[str]:
        """One line per probe, for the end of the run (or, not `ended`, while it runs)."""
        lines = []
        for probe in Probe:
            if probe in self.results:
                verdict = self.results[probe]
                lines.append(f"{'PASS' if verdict.passed else 'FAIL'} {probe}: {verdict.detail}")
            elif probe in self.expected and not ended:
                lines.append(f"PENDING {probe}: no result yet (probes start once all users run)")
            elif probe in self.expected:
                lines.append(
                    f"NOT RUN {probe}: no result before the run ended (its user needs a slot "
                    "in -u and enough -t; counts as a failure)"
                )
            elif probe in self.skipped:
                lines.append(f"SKIPPED {probe}: {self.skipped[probe]}")
        return lines


def rate_allowance(limit_per_minute: int, elapsed: float) -> int:
    """The most requests a key may have had accepted in a burst lasting `elapsed` seconds.

    A full token bucket holds a minute's worth; it refills at `limit / 60` per second
    meanwhile.
    """
    return limit_per_minute + math.ceil(max(elapsed, 0.0) * limit_per_minute / 60)


def judge_rate(
    *, limit_per_minute: int, accepted: int, elapsed: float, refusal: str | None
) -> Verdict:
    """The rate probe: `accepted` requests (connect included) went through before `refusal`."""
    allowance = rate_allowance(limit_per_minute, elapsed)
    if refusal is None:
        return Verdict(
            False,
            f"{accepted} requests accepted in {elapsed:.1f}s, none refused (limit "
            f"{limit_per_minute}/min)",
        )
    if refusal != "RATE_LIMITED":
        return Verdict(False, f"refused with {refusal}, expected RATE_LIMITED")
    if accepted > allowance:
        return Verdict(
            False,
            f"{accepted} requests accepted before RATE_LIMITED, at most {allowance} "
            f"allowed ({limit_per_minute}/min)",
        )
    detail = f"{accepted} accepted then RATE_LIMITED (limit {limit_per_minute}/min)"
    if accepted < limit_per_minute:
        # Still a pass: the limit held. The bucket was not full, so the burst could not
        # show that the server allows the whole limit.
        detail += "; fewer than the limit: was the key used within the last minute?"
    return Verdict(True, detail)


def idle_window(expected: float) -> tuple[float, float]:
    """When an idle close may come, measured from the last pong we read: (earliest, latest).

    Early slack covers the pong's trip (the server's timer started when it read our
    ping); late slack covers a busy server's timer and the trip of the close frame.
    """
    return expected - 0.25 - 0.02 * expected, expected + max(2.0, 0.25 * expected)


def judge_idle(*, expected: float, elapsed: float | None, close_code: int | None) -> Verdict:
    """The idle probe: closed with `close_code` after `elapsed` s (None: still open)."""
    earliest, latest = idle_window(expected)
    if elapsed is None:
        return Verdict(False, f"still open after {latest:.1f}s (idle timeout {expected:g}s)")
    if close_code != 4408:
        return Verdict(False, f"closed with {close_code} after {elapsed:.2f}s, expected 4408")
    if not earliest <= elapsed <= latest:
        return Verdict(
            False,
            f"closed 4408 after {elapsed:.2f}s, expected {earliest:.2f}-{latest:.2f}s "
            f"(--idle-timeout {expected:g})",
        )
    return Verdict(True, f"closed 4408 after {elapsed:.2f}s idle (expected {expected:g}s)")
