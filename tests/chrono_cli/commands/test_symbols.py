"""`chrono symbols` against a server of the other scheme: one line, exit 4, the way out."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.support.certificates import make_pki
from tests.support.processes import run_cli
from tests.support.servers import StartServer


async def test_ws_url_to_a_tls_server_says_to_try_wss(
    start_server: StartServer, tmp_path: Path
) -> None:
    pki = make_pki(tmp_path)
    server = await start_server(certfile=pki.cert, keyfile=pki.key)
    url = f"ws://127.0.0.1:{server.port}/stream"

    result = await asyncio.to_thread(run_cli, "symbols", "--url", url)

    assert result.returncode == 4
    assert result.stderr == (
        f"chrono symbols: error: cannot connect to {url}: "
        f"the server speaks TLS: try wss://127.0.0.1:{server.port}/stream\n"
    )


async def test_wss_url_to_a_plain_server_says_to_try_ws(start_server: StartServer) -> None:
    server = await start_server()
    url = f"wss://127.0.0.1:{server.port}/stream"

    result = await asyncio.to_thread(run_cli, "symbols", "--url", url)

    assert result.returncode == 4
    assert result.stderr == (
        f"chrono symbols: error: cannot connect to {url}: "
        f"the server does not speak TLS: try ws://127.0.0.1:{server.port}/stream\n"
    )
