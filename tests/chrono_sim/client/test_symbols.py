"""`fetch_symbols` fails in the words of every other command, with the same scheme hints."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from chrono_sim.client.symbols import fetch_symbols
from chrono_sim.errors import SymbolsUnavailableError
from tests.support.certificates import make_pki
from tests.support.handshakes import hanging_up
from tests.support.servers import StartServer


async def failure_of(url: str) -> str:
    with pytest.raises(SymbolsUnavailableError) as raised:
        await asyncio.to_thread(fetch_symbols, url, timeout=5.0)
    return str(raised.value)


async def test_ws_to_a_tls_server_says_to_try_wss(
    start_server: StartServer, tmp_path: Path
) -> None:
    pki = make_pki(tmp_path)
    server = await start_server(certfile=pki.cert, keyfile=pki.key)
    url = f"ws://127.0.0.1:{server.port}/stream"

    assert await failure_of(url) == (
        f"cannot connect to {url}: the server speaks TLS: try wss://127.0.0.1:{server.port}/stream"
    )


async def test_wss_to_a_plain_server_says_to_try_ws(start_server: StartServer) -> None:
    server = await start_server()
    url = f"wss://127.0.0.1:{server.port}/stream"

    assert await failure_of(url) == (
        f"cannot connect to {url}: "
        f"the server does not speak TLS: try ws://127.0.0.1:{server.port}/stream"
    )


async def test_a_server_that_hangs_up_is_named_in_plain_words() -> None:
    async with hanging_up() as server:
        message = await failure_of(server.url())

    # Closed before or after the request arrived: a clean close, or a reset.
    assert message in {
        f"cannot connect to {server.url()}: the server closed the connection without answering",
        f"cannot connect to {server.url()}: connection reset by the server",
    }
