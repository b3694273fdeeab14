"""Helpers for real-socket tests: URLs, headers, reading replies and closes, raw HTTP."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from chrono_sim.protocol.keys import DEV_KEY, ApiKey, KeyStore
from chrono_sim.server import ChronoServer

# A key with small limits so limit tests stay short.
TIGHT_KEY = ApiKey(key="tight_test_key_0001", name="tight", max_connections=2)
KEYS = KeyStore([ApiKey(key=DEV_KEY, name="dev"), TIGHT_KEY])


def url(server: ChronoServer, query: str = "") -> str:
    return f"ws://127.0.0.1:{server.port}/stream{query}"


def bearer(key: str = DEV_KEY) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


async def raw_http(server: ChronoServer, request: bytes) -> bytes:
    """Send raw bytes of one HTTP request and return the whole response."""
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(request)
    response = await asyncio.wait_for(reader.read(), timeout=5)
    writer.close()
    return response


async def http_get(server: ChronoServer, path: str) -> tuple[int, dict[str, str], bytes]:
    """Send one plain HTTP/1.1 GET and return status, headers and body."""
    raw = await raw_http(server, f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode().split("\r\n")
    headers = dict(line.split(": ", 1) for line in header_lines)
    return int(status_line.split()[1]), {k.lower(): v for k, v in headers.items()}, body


async def receive(ws: ClientConnection) -> dict[str, Any]:
    """The next message, decoded; fails after 5 s instead of hanging."""
    return json.loads(await asyncio.wait_for(ws.recv(), timeout=5))  # type: ignore[no-any-return]


async def closed_with(ws: ClientConnection, within: float = 5) -> tuple[int | None, str | None]:
    """Wait for the server to close, skipping anything still in flight; code and reason."""
    try:
        while True:
            await asyncio.wait_for(ws.recv(), timeout=within)
    except ConnectionClosed:
        return ws.close_code, ws.close_reason
