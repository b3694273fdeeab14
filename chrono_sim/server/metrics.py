"""Prometheus metrics of one server, served at `GET /metrics`.

Each server has its own `CollectorRegistry` (tests run many servers in one
process). The hot path of the fan-out adds nothing per frame: frames are
counted once per flush, latency is observed once per published batch, and
counts kept elsewhere anyway (updates published, faults injected) are read
only when scraped.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.metrics_core import CounterMetricFamily, Metric

from chrono_sim.protocol.keys import ApiKey
from chrono_sim.protocol.messages import ErrorCode

# Refusals before any WebSocket exists: plain HTTP answers to an upgrade request.
HTTP_SERVER_FULL = "HTTP_503"  # --max-connections reached
HTTP_IP_RATE = "HTTP_429"  # --ip-connect-rate exceeded
HANDSHAKE_REFUSALS = (ErrorCode.UNAUTHORIZED, ErrorCode.RATE_LIMITED, ErrorCode.CONNECTION_LIMIT)

# From publish to written: ~0.1 ms idle, tens of ms when a turn writes to thousands.
FANOUT_BUCKETS = (
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0,
)  # fmt: skip

CONTENT_TYPE = CONTENT_TYPE_LATEST


def key_label(api_key: ApiKey) -> str:
    """What identifies a key in a metric: its name, or its redacted form if the name holds it."""
    if not api_key.name or api_key.key in api_key.name:
        return api_key.redacted
    return api_key.name


class _ScrapeTimeCounters:
    """Counters whose values live elsewhere, read when scraped."""

    def __init__(
        self, published: Callable[[], int], faults: Callable[[], Mapping[str, int]]
    ) -> None:
        self._published = published
        self._faults = faults

    def collect(self) -> Iterator[Metric]:
        yield CounterMetricFamily(
            "chrono_updates_published",
            "Price updates the hub published (each to all of its symbol's subscribers).",
            value=self._published(),
        )
        faults = CounterMetricFamily(
            "chrono_faults_injected",
            "Faults injected (--fault), by kind; a dropped update counts under kind=drop.",
            labels=["kind"],
        )
        for kind, count in sorted(self._faults().items()):
            faults.add_metric([kind], count)
        yield faults


class ServerMetrics:
    """The instruments of one server and their exposition."""

    def __init__(
        self,
        *,
        keys: Iterable[ApiKey] = (),
        published: Callable[[], int] = lambda: 0,
        faults: Callable[[], Mapping[str, int]] = dict,
    ) -> None:
        self.registry = CollectorRegistry()
        registry = self.registry
        self.connections_open = Gauge(
            "chrono_connections_open",
            "Open WebSocket connections, by API key name (never the key itself).",
            ["key"],
            registry=registry,
        )
        self.connections_accepted = Counter(
            "chrono_connections_accepted",
            "WebSocket connections admitted (key valid and within its limits).",
            registry=registry,
        )
        self.refusals = Counter(
            "chrono_refusals",
            "Connection attempts refused, by error code (HTTP_503, HTTP_429: before upgrading).",
            ["code"],
            registry=registry,
        )
        self.frames_sent = Counter(
            "chrono_frames_sent",
            "WebSocket messages written by the fan-out writer: price updates and replies.",
            registry=registry,
        )
        self.conflated = Counter(
            "chrono_conflated_updates",
            "Price updates discarded for slow clients (conflated to the latest of each symbol).",
            registry=registry,
        )
        self.fanout_latency = Histogram(
            "chrono_fanout_latency_seconds",
            "Time from publishing a batch of updates to the end of the flush that writes them.",
            buckets=FANOUT_BUCKETS,
            registry=registry,
        )
        registry.register(_ScrapeTimeCounters(published, faults))
        # Known label values start at 0, so a rate() over them exists from the first scrape.
        for api_key in keys:
            self.connections_open.labels(key_label(api_key))
        for code in (*HANDSHAKE_REFUSALS, HTTP_SERVER_FULL, HTTP_IP_RATE):
            self.refusals.labels(code)

    def opened(self, api_key: ApiKey) -> None:
        self.connections_accepted.inc()
        self.connections_open.labels(key_label(api_key)).inc()

    def closed(self, api_key: ApiKey) -> None:
        self.connections_open.labels(key_label(api_key)).dec()

    def refused(self, code: str) -> None:
        self.refusals.labels(code).inc()

    def flushed(self, frames: int, batch_published_at: float | None) -> None:
        """One flush wrote `frames`; it ended the batch published at that `perf_counter()`."""
        if frames:
            self.frames_sent.inc(frames)
        if batch_published_at is not None:
            self.fanout_latency.observe(time.perf_counter() - batch_published_at)

    def exposition(self) -> bytes:
        """The text format Prometheus scrapes (`CONTENT_TYPE`)."""
        return generate_latest(self.registry)
