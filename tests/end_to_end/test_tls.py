"""TLS end to end: `chrono serve --certfile` serves wss:// and https://; `tail`, `record`
and `check` reach it with `--cafile`, and say in one line why they cannot without it.

Certificates come from a private CA made on the fly (`tests.support.certificates`).
"""

from __future__ import annotations

import asyncio
import json
import signal
import ssl
import urllib.request
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from websockets.asyncio.client import connect

from chrono_sim.client import FeedClient, FeedEvent, Retrying
from chrono_sim.client.symbols import fetch_symbols
from chrono_sim.conformance import ALL_CHECKS
from chrono_sim.errors import ServerUnreachableError
from chrono_sim.protocol.keys import DEV_KEY, ApiKey, KeyStore
from chrono_sim.protocol.limits import ProtocolLimits
from chrono_sim.server import ChronoServer
from chrono_sim.server.config import ServerConfig
from tests.support.certificates import Pki, make_pki
from tests.support.processes import Cli, eventually, run_cli, start_cli
from tests.support.servers import StartServer
from tests.support.sessions import quote
from tests.support.sockets import receive


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture
async def secure_server(start_server: StartServer, pki: Pki) -> ChronoServer:
    return await start_server(certfile=pki.cert, keyfile=pki.key)


def wss_url(server: ChronoServer, host: str = "127.0.0.1") -> str:
    return f"wss://{host}:{server.port}/stream"


def trusting(pki: Pki) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(pki.ca))


def get_json(url: str, pki: Pki) -> Any:
    with urllib.request.urlopen(url, timeout=5, context=trusting(pki)) as response:
        return json.load(response)


# --- the server ----------------------------------------------------------------


async def test_the_server_speaks_the_protocol_over_wss(
    secure_server: ChronoServer, pki: Pki
) -> None:
    async with connect(
        wss_url(secure_server),
        ssl=trusting(pki),
        additional_headers={"Authorization": f"Bearer {DEV_KEY}"},
    ) as ws:
        await ws.send(json.dumps({"type": "subscribe", "symbols": ["BTC/USD"], "id": 1}))
        assert (await receive(ws))["type"] == "subscribed"


async def test_a_silent_client_is_dropped_after_the_handshake_timeout(
    start_server: StartServer, pki: Pki
) -> None:
    # A client that opens TCP and never starts TLS must not hold the socket for ever.
    server = await start_server(certfile=pki.cert, keyfile=pki.key, handshake_timeout=0.5)
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    try:
        assert await asyncio.wait_for(reader.read(), timeout=10) == b""
    finally:
        writer.close()


# --- the feed client and chrono tail -------------------------------------------


async def test_an_untrusted_certificate_ends_the_feed_client_at_once(
    secure_server: ChronoServer,
) -> None:
    client = FeedClient(wss_url(secure_server), api_key=DEV_KEY, symbols=["BTC/USD"])
    seen: list[FeedEvent] = []

    async def follow() -> None:
        async for event in client.events():
            seen.append(event)

    with pytest.raises(ServerUnreachableError, match="TLS certificate not trusted") as raised:
        await asyncio.wait_for(follow(), timeout=10)
    assert not any(isinstance(event, Retrying) for event in seen)
    assert "a private CA needs --cafile" in str(raised.value)


async def test_tail_with_the_ca_gets_a_price_over_wss(
    secure_server: ChronoServer, pki: Pki
) -> None:
    frame = secure_server.hub.publish(quote("BTC/USD", 45123.5))

    tail = await start_cli(
        "tail", "BTC/USD", "--url", wss_url(secure_server, "localhost"), "--cafile", str(pki.ca),
        "--snapshot", "--count", "1", "--json",
    )  # fmt: skip

    assert await tail.finish() == 0, tail.stderr
    update = json.loads(tail.stdout[0])
    assert update["price"] == json.loads(frame)["price"]


async def test_tail_without_the_ca_fails_at_once_in_one_line(
    secure_server: ChronoServer,
) -> None:
    tail = await start_cli("tail", "BTC/USD", "--url", wss_url(secure_server), "--json")

    assert await tail.finish() == 4
    assert tail.stdout == []
    assert len(tail.stderr) == 1, tail.stderr
    assert tail.stderr[0].startswith(
        f"chrono tail: error: cannot connect to {wss_url(secure_server)}: "
        "TLS certificate not trusted ("
    )
    assert tail.stderr[0].endswith("; a private CA needs --cafile")


def test_tail_with_a_ca_for_a_ws_url_is_a_usage_error(pki: Pki) -> None:
    result = run_cli("tail", "BTC/USD", "--url", "ws://localhost:1/stream", "--cafile", str(pki.ca))

    assert result.returncode == 2
    assert result.stderr == (
        "chrono tail: error: --cafile needs a wss:// URL, not 'ws://localhost:1/stream'\n"
    )


def test_tail_with_a_missing_ca_file_is_one_line_and_exit_3(tmp_path: Path) -> None:
    missing = tmp_path / "missing.pem"

    result = run_cli(
        "tail", "BTC/USD", "--url", "wss://localhost:1/stream", "--cafile", str(missing)
    )

    assert result.returncode == 3
    assert result.stderr == f"chrono tail: error: --cafile {missing}: no such file or directory\n"


# --- chrono record --------------------------------------------------------------


async def test_record_with_the_ca_captures_over_wss(
    secure_server: ChronoServer, pki: Pki, tmp_path: Path
) -> None:
    capture = tmp_path / "capture.jsonl"
    record = await start_cli(
        "record", "BTC/USD", "-o", str(capture), "--url", wss_url(secure_server),
        "--cafile", str(pki.ca), "--count", "1",
    )  # fmt: skip
    await eventually(lambda: secure_server.hub.subscriber_count("BTC/USD") == 1)
    frame = secure_server.hub.publish(quote("BTC/USD", 45123.5))

    assert await record.finish() == 0, record.stderr
    assert json.loads(capture.read_text()) == json.loads(frame)


# --- chrono check ---------------------------------------------------------------

HEARTBEAT = 0.5
RATE = 600


@pytest.fixture
async def checkable_server(pki: Pki) -> AsyncIterator[ChronoServer]:
    """A TLS server with the short timers `tests/chrono_cli/commands/test_check.py` uses."""
    key = ApiKey(key=DEV_KEY, name="dev", rate_limit_per_minute=RATE)
    config = ServerConfig(
        host="127.0.0.1", port=0, keys=KeyStore([key]),
        limits=ProtocolLimits(heartbeat_interval=HEARTBEAT), interval=0.02, seed=5,
        certfile=pki.cert, keyfile=pki.key,
    )  # fmt: skip
    async with ChronoServer(config) as server:
        yield server


async def test_check_with_the_ca_passes_every_rule_over_wss(
    checkable_server: ChronoServer, pki: Pki
) -> None:
    check = await start_cli(
        "check", wss_url(checkable_server), "--cafile", str(pki.ca), "--json",
        "--heartbeat-interval", str(HEARTBEAT), "--timeout", "5",
        "--rate-limit-per-minute", str(RATE),
    )  # fmt: skip

    await check.finish(within=60)
    rows = json.loads("\n".join(check.stdout))
    assert [row["id"] for row in rows] == [c.id for c in ALL_CHECKS]
    not_judged = {"idle-timeout"}  # needs --slow
    assert {row["status"] for row in rows if row["id"] not in not_judged} == {"pass"}, [
        row for row in rows if row["status"] == "fail"
    ]


async def test_check_without_the_ca_is_one_line_and_exit_4(secure_server: ChronoServer) -> None:
    check = await start_cli("check", wss_url(secure_server))

    assert await check.finish() == 4
    assert len(check.stderr) == 1, check.stderr
    assert "TLS certificate not trusted" in check.stderr[0]
    assert check.stderr[0].endswith("a private CA needs --cafile")


# --- chrono serve ---------------------------------------------------------------


async def test_serve_with_a_certificate_serves_wss_and_https(
    processes: list[Cli], pki: Pki
) -> None:
    serve = await start_cli(
        "serve", "--port", "0", "--interval", "0.2", "--certfile", str(pki.cert),
        "--keyfile", str(pki.key),
    )  # fmt: skip
    processes.append(serve)
    port = await serve.port()
    assert f"listening on wss://localhost:{port}/stream" in serve.stderr[0]
    assert f"docs at https://localhost:{port}/docs" in serve.stderr[0]
    url = f"wss://localhost:{port}/stream"

    health = await asyncio.to_thread(get_json, f"https://localhost:{port}/healthz", pki)
    assert health["status"] == "ok"
    offered = await asyncio.to_thread(fetch_symbols, url, ssl=trusting(pki))
    assert "BTC/USD" in {entry["symbol"] for entry in offered}
    symbols = await start_cli("symbols", "--url", url, "--cafile", str(pki.ca), "--json")
    assert await symbols.finish() == 0, symbols.stderr
    listed = [entry["symbol"] for entry in json.loads(symbols.stdout[0])]
    assert listed == [entry["symbol"] for entry in offered]
    tail = await start_cli(
        "tail", "BTC/USD", "--url", url, "--cafile", str(pki.ca), "--count", "1", "--json"
    )
    assert await tail.finish() == 0, tail.stderr

    serve.process.send_signal(signal.SIGTERM)
    assert await serve.finish() == 0


def test_serve_with_a_missing_certificate_is_one_line_and_exit_3(tmp_path: Path) -> None:
    missing = tmp_path / "missing.pem"

    result = run_cli("serve", "--port", "0", "--certfile", str(missing))

    assert result.returncode == 3
    assert (
        result.stderr == f"chrono serve: error: --certfile {missing}: no such file or directory\n"
    )


def test_serve_with_a_key_of_another_certificate_is_one_line_and_exit_3(pki: Pki) -> None:
    result = run_cli(
        "serve", "--port", "0", "--certfile", str(pki.cert), "--keyfile", str(pki.other_key)
    )

    assert result.returncode == 3
    assert result.stderr.count("\n") == 1
    assert "certificate and key do not match" in result.stderr


def test_serve_with_a_key_but_no_certificate_is_a_usage_error(pki: Pki) -> None:
    result = run_cli("serve", "--port", "0", "--keyfile", str(pki.key))

    assert result.returncode == 2
    assert result.stderr == "chrono serve: error: --keyfile needs --certfile\n"
