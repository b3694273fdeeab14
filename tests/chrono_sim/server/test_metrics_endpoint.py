"""`GET /metrics` over a real socket: Prometheus' text format, counting what happened."""

from __future__ import annotations

import asyncio
import time

import pytest
from prometheus_client import CONTENT_TYPE_LATEST
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import InvalidStatus

from chrono_sim.protocol.catalog import DEFAULT_CATALOG
from chrono_sim.protocol.keys import DEV_KEY
from chrono_sim.server import ChronoServer
from chrono_sim.sources import ScriptedSource
from tests.support.prometheus import samples
from tests.support.servers import StartServer
from tests.support.sessions import quote
from tests.support.sockets import TIGHT_KEY, bearer, closed_with, http_get, receive, url


async def scrape(server: ChronoServer) -> dict[str, float]:
    status, headers, body = await http_get(server, "/metrics")
    assert status == 200
    assert headers["content-type"] == CONTENT_TYPE_LATEST
    return samples(body)


async def scraped_until(server: ChronoServer, name: str, value: float) -> dict[str, float]:
    """Scrape until `name` reads `value` (a handler may finish just after the client does)."""
    deadline = time.monotonic() + 5
    while (scraped := await scrape(server)).get(name) != value:
        assert time.monotonic() < deadline, f"{name} = {scraped.get(name)}, not {value}"
        await asyncio.sleep(0.02)
    return scraped


async def subscribe(ws: ClientConnection, symbol: str = "BTC/USD") -> None:
    await ws.send(f'{{"type":"subscribe","symbols":["{symbol}"]}}')
    assert (await receive(ws))["type"] == "subscribed"


async def test_open_connections_are_shown_by_key_name_never_by_key(server: ChronoServer) -> None:
    async with connect(url(server), additional_headers=bearer()) as ws:
        await ws.send('{"type":"ping"}')
        await receive(ws)  # the session runs: the connection is counted
        _, _, body = await http_get(server, "/metrics")
        scraped = samples(body)
    assert scraped['chrono_connections_open{key="dev"}'] == 1
    assert scraped["chrono_connections_accepted_total"] == 1
    assert DEV_KEY.encode() not in body
    await scraped_until(server, 'chrono_connections_open{key="dev"}', 0)


async def test_handshake_refusals_are_counted_by_code(server: ChronoServer) -> None:
    async with connect(url(server, "?api_key=not_a_known_key_0000")) as unknown:
        assert (await closed_with(unknown))[0] == 4401
    held = [await connect(url(server), additional_headers=bearer(TIGHT_KEY.key)) for _ in "ab"]
    async with connect(url(server), additional_headers=bearer(TIGHT_KEY.key)) as third:
        assert (await closed_with(third))[0] == 4429
    scraped = await scrape(server)
    for ws in held:
        await ws.close()

    assert scraped['chrono_refusals_total{code="UNAUTHORIZED"}'] == 1
    assert scraped['chrono_refusals_total{code="CONNECTION_LIMIT"}'] == 1
    assert scraped['chrono_refusals_total{code="RATE_LIMITED"}'] == 0
    assert scraped['chrono_connections_open{key="tight"}'] == 2


async def test_http_refusals_have_their_own_codes(start_server: StartServer) -> None:
    full = await start_server(max_connections=1)
    async with connect(url(full), additional_headers=bearer()):
        with pytest.raises(InvalidStatus):
            await connect(url(full), additional_headers=bearer())
    throttled = await start_server(ip_connect_rate=1)
    async with connect(url(throttled), additional_headers=bearer()):
        with pytest.raises(InvalidStatus):
            await connect(url(throttled), additional_headers=bearer())

    assert (await scrape(full))['chrono_refusals_total{code="HTTP_503"}'] == 1
    assert (await scrape(throttled))['chrono_refusals_total{code="HTTP_429"}'] == 1


async def test_updates_published_and_frames_sent_are_counted(server: ChronoServer) -> None:
    async with connect(url(server), additional_headers=bearer()) as ws:
        await subscribe(ws)
        for _ in range(3):
            server.hub.publish(quote())
        for _ in range(3):
            assert (await receive(ws))["type"] == "price_update"
        scraped = await scrape(server)

    assert scraped["chrono_updates_published_total"] == 3
    assert scraped["chrono_frames_sent_total"] == 4  # the acknowledgement and 3 prices


async def test_updates_conflated_for_a_client_behind_are_counted(
    start_server: StartServer,
) -> None:
    server = await start_server(price_backlog=4)
    async with connect(url(server), additional_headers=bearer()) as ws:
        await subscribe(ws)
        for price in range(10):  # all queued before the next write: conflated at 5 and 9
            server.hub.publish(quote(price=100.0 + price))
        assert (await receive(ws))["price"] == 108.0
        assert (await receive(ws))["price"] == 109.0
        scraped = await scrape(server)

    assert scraped["chrono_conflated_updates_total"] == 8


class AfterSubscription(ScriptedSource):
    """Plays its script once someone subscribes: the whole script is then one batch."""

    waits_for_subscriber = True


async def test_each_batch_published_is_timed_once_to_its_flush(start_server: StartServer) -> None:
    source = AfterSubscription(DEFAULT_CATALOG, [(0.0, quote(price=1.0 + n)) for n in range(5)])
    server = await start_server(source=source)
    async with connect(url(server), additional_headers=bearer()) as ws:
        await subscribe(ws)
        for _ in range(5):
            assert (await receive(ws))["type"] == "price_update"
        scraped = await scrape(server)

    assert scraped["chrono_fanout_latency_seconds_count"] == 1
    assert scraped['chrono_fanout_latency_seconds_bucket{le="+Inf"}'] == 1


async def test_injected_faults_are_shown_by_kind(server: ChronoServer) -> None:
    server.fault_counts["drop"] += 2

    assert (await scrape(server))['chrono_faults_injected_total{kind="drop"}'] == 2
