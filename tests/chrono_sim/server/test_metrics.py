"""Server metrics: what each instrument counts, and that none of them shows an API key."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from typing import cast

from chrono_sim.protocol.catalog import DEFAULT_CATALOG
from chrono_sim.protocol.clock import ManualClock
from chrono_sim.protocol.hub import Hub
from chrono_sim.protocol.keys import ApiKey
from chrono_sim.protocol.outbox import Outbox
from chrono_sim.server.connection.writer import ConnectionWriter, Flusher
from chrono_sim.server.feed import PUBLISH_BATCH, pump
from chrono_sim.server.metrics import HTTP_IP_RATE, HTTP_SERVER_FULL, ServerMetrics, key_label
from chrono_sim.sources import ScriptedSource
from tests.support.prometheus import samples
from tests.support.sessions import quote

TEAM = ApiKey(key="team_secret_key_0123456789", name="Team")


def scrape(metrics: ServerMetrics) -> dict[str, float]:
    return samples(metrics.exposition())


# --- connections and refusals -------------------------------------------------


def test_a_key_is_labelled_by_its_name() -> None:
    assert key_label(TEAM) == "Team"


def test_a_name_that_holds_the_key_is_replaced_by_the_redacted_key() -> None:
    careless = ApiKey(key="team_secret_key_0123456789", name="team_secret_key_0123456789 (ops)")

    assert key_label(careless) == careless.redacted


def test_open_connections_are_counted_by_key_name() -> None:
    metrics = ServerMetrics(keys=[TEAM])
    metrics.opened(TEAM)
    metrics.opened(TEAM)
    metrics.closed(TEAM)

    scraped = scrape(metrics)
    assert scraped['chrono_connections_open{key="Team"}'] == 1
    assert scraped["chrono_connections_accepted_total"] == 2


def test_no_metric_shows_a_key_in_full() -> None:
    metrics = ServerMetrics(keys=[TEAM])
    metrics.opened(TEAM)

    assert TEAM.key.encode() not in metrics.exposition()


def test_every_key_shows_from_the_first_scrape_with_no_connection() -> None:
    assert scrape(ServerMetrics(keys=[TEAM]))['chrono_connections_open{key="Team"}'] == 0


def test_refusals_are_counted_by_code_each_starting_at_zero() -> None:
    metrics = ServerMetrics()
    metrics.refused("UNAUTHORIZED")
    metrics.refused("UNAUTHORIZED")
    metrics.refused(HTTP_SERVER_FULL)

    scraped = scrape(metrics)
    assert scraped['chrono_refusals_total{code="UNAUTHORIZED"}'] == 2
    assert scraped['chrono_refusals_total{code="HTTP_503"}'] == 1
    assert scraped['chrono_refusals_total{code="RATE_LIMITED"}'] == 0
    assert scraped[f'chrono_refusals_total{{code="{HTTP_IP_RATE}"}}'] == 0


# --- counts read when scraped --------------------------------------------------


def test_updates_published_are_read_from_the_hub_when_scraped() -> None:
    hub = Hub()
    metrics = ServerMetrics(published=lambda: hub.published)
    hub.publish(quote())

    assert scrape(metrics)["chrono_updates_published_total"] == 1


def test_injected_faults_are_read_by_kind_when_scraped() -> None:
    faults: Counter[str] = Counter()
    metrics = ServerMetrics(faults=lambda: faults)
    faults["drop"] += 3
    faults["stall"] += 1

    scraped = scrape(metrics)
    assert scraped['chrono_faults_injected_total{kind="drop"}'] == 3
    assert scraped['chrono_faults_injected_total{kind="stall"}'] == 1


# --- frames, conflation, fan-out latency ----------------------------------------


def test_frames_written_are_counted_per_flush() -> None:
    metrics = ServerMetrics()
    metrics.flushed(5, None)
    metrics.flushed(2, None)

    assert scrape(metrics)["chrono_frames_sent_total"] == 7


def test_a_flush_without_a_batch_observes_no_latency() -> None:
    metrics = ServerMetrics()
    metrics.flushed(5, None)

    assert scrape(metrics)["chrono_fanout_latency_seconds_count"] == 0


def test_a_flush_that_ends_a_batch_observes_its_latency_since_publishing() -> None:
    metrics = ServerMetrics()
    metrics.flushed(1, time.perf_counter() - 0.003)  # published at least 3 ms ago

    scraped = scrape(metrics)
    assert scraped["chrono_fanout_latency_seconds_count"] == 1
    assert scraped["chrono_fanout_latency_seconds_sum"] >= 0.003
    assert scraped['chrono_fanout_latency_seconds_bucket{le="0.0025"}'] == 0


def test_conflation_reports_how_many_price_frames_it_discarded() -> None:
    box = Outbox(reply_limit_bytes=100, price_limit=4, on_ready=lambda: None)
    discarded: list[int] = []
    box.on_conflate = discarded.append
    for frame in (b"a1", b"b1", b"a2", b"b2", b"a3"):
        box.put_price(frame[:1].decode(), frame)

    assert discarded == [3]  # a1, b1, a2 gave way to b2 and a3


class FakeWriter:
    """Stands in for a `ConnectionWriter`: each flush writes `frames` frames."""

    def __init__(self, frames: int) -> None:
        self.frames = frames

    def flush(self) -> int:
        return self.frames


Flushed = list[tuple[int, float | None]]


def flusher_reporting() -> tuple[Flusher, Flushed]:
    reports: Flushed = []
    return Flusher(on_flushed=lambda frames, at: reports.append((frames, at))), reports


def mark(flusher: Flusher, frames: int) -> None:
    flusher.mark(cast(ConnectionWriter, FakeWriter(frames)))


async def test_a_turn_reports_the_frames_of_every_connection_in_one_call() -> None:
    flusher, reports = flusher_reporting()
    mark(flusher, 3)
    mark(flusher, 2)
    await asyncio.sleep(0)

    assert reports == [(5, None)]


async def test_the_flush_after_a_batch_ends_that_batch() -> None:
    flusher, reports = flusher_reporting()
    mark(flusher, 1)  # the batch reached a connection
    flusher.batch_published(123.0)
    await asyncio.sleep(0)

    assert reports == [(1, 123.0)]


async def test_a_batch_that_reached_no_connection_is_not_timed() -> None:
    flusher, reports = flusher_reporting()
    flusher.batch_published(123.0)  # nothing marked: no flush will write it
    await asyncio.sleep(0)
    mark(flusher, 1)
    await asyncio.sleep(0)

    assert reports == [(1, None)]


async def test_the_feed_announces_each_batch_after_publishing_it(clock: ManualClock) -> None:
    hub = Hub()
    count = 2 * PUBLISH_BATCH + 50
    source = ScriptedSource(DEFAULT_CATALOG, [(clock.monotonic(), quote())] * count)
    published_at_each_batch: list[int] = []
    before = time.perf_counter()

    def on_batch(started: float) -> None:
        assert before <= started <= time.perf_counter()
        published_at_each_batch.append(hub.published)

    await pump(source, hub, clock, on_batch=on_batch)

    assert published_at_each_batch == [PUBLISH_BATCH, 2 * PUBLISH_BATCH, count]
