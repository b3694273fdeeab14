"""The checker's connection helper over real sockets: admission, refusals, closing."""

from __future__ import annotations

import time

import pytest

from chrono_sim.conformance.budget import RequestBudget
from chrono_sim.conformance.probe import Auth, Probe, Refused, attempt, open_websocket
from chrono_sim.conformance.settings import CheckSettings
from chrono_sim.conformance.transcript import TimestampLog
from chrono_sim.errors import ServerUnreachableError
from chrono_sim.protocol.keys import DEV_KEY
from chrono_sim.server import ChronoServer
from chrono_sim.server.config import ServerConfig
from tests.support.processes import eventually


def _settings(server: ChronoServer) -> CheckSettings:
    return CheckSettings(url=f"ws://127.0.0.1:{server.port}/stream", api_key=DEV_KEY, timeout=5)


async def _attempt(server: ChronoServer, auth: Auth) -> Probe | Refused:
    return await attempt(_settings(server), auth, budget=RequestBudget(120), log=TimestampLog())


async def test_an_admitted_connection_is_a_probe_that_answers_ping(server: ChronoServer) -> None:
    probe = await _attempt(server, Auth.bearer(DEV_KEY))

    assert isinstance(probe, Probe)
    assert (await probe.ping())["type"] == "pong"
    await probe.close()


async def test_a_refused_connection_reports_the_error_and_the_close(server: ChronoServer) -> None:
    refused = await _attempt(server, Auth(query_key="not_a_known_key_0000"))

    assert isinstance(refused, Refused)
    assert (refused.code, refused.close_code, refused.close_reason) == (
        "UNAUTHORIZED",
        4401,
        "unauthorized",
    )


async def test_closing_does_not_wait_for_the_timeout_when_unread_prices_pile_up() -> None:
    # Enough unread frames make websockets stop reading the socket, close frame included.
    config = ServerConfig(host="127.0.0.1", port=0, interval=0.02, seed=5)
    async with ChronoServer(config) as server:
        probe = await _attempt(server, Auth.bearer(DEV_KEY))
        assert isinstance(probe, Probe)
        symbols = list(_settings(server).symbols[:10])
        await probe.request({"type": "subscribe", "symbols": symbols})
        await eventually(lambda: probe.ws.recv_messages.paused)

        started = time.monotonic()
        await probe.close()

        assert time.monotonic() - started < 2.5  # the close timeout is 5 s


async def test_a_wrong_path_is_unreachable_naming_the_status(server: ChronoServer) -> None:
    url = f"ws://127.0.0.1:{server.port}/wrong"
    settings = CheckSettings(url=url, api_key=DEV_KEY, timeout=5)

    with pytest.raises(ServerUnreachableError) as raised:
        await open_websocket(settings, Auth.bearer(DEV_KEY))

    assert str(raised.value) == (
        f"cannot connect to {url}: handshake answered HTTP 404 Not Found "
        "(no WebSocket endpoint at /wrong; a Chrono server's is /stream)"
    )
