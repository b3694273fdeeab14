"""Openings that fail one chosen way: a server answering an HTTP status, a fake name lookup."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

import pytest


@dataclass
class Answering:
    """A server on a free loopback port; `requests` counts the requests it answered."""

    port: int
    requests: list[bytes] = field(default_factory=list)

    def url(self, path: str = "/stream") -> str:
        return f"ws://127.0.0.1:{self.port}{path}"


@contextlib.asynccontextmanager
async def answering(status: int) -> AsyncIterator[Answering]:
    """A server that answers every request, WebSocket upgrades included, with `status`."""
    answering = Answering(port=0)

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError):
            answering.requests.append(await reader.readuntil(b"\r\n\r\n"))
            body = b"no\n"
            head = (
                f"HTTP/1.1 {status} {HTTPStatus(status).phrase}\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
            )
            writer.write(head.encode() + body)
            await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    answering.port = server.sockets[0].getsockname()[1]
    try:
        yield answering
    finally:
        server.close()
        await server.wait_closed()


@contextlib.asynccontextmanager
async def hanging_up() -> AsyncIterator[Answering]:
    """A server that accepts connections and closes them without a word (not TLS, not HTTP)."""
    hung_up = Answering(port=0)

    async def hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        hung_up.requests.append(b"")
        writer.close()

    server = await asyncio.start_server(hang_up, "127.0.0.1", 0)
    hung_up.port = server.sockets[0].getsockname()[1]
    try:
        yield hung_up
    finally:
        server.close()
        await server.wait_closed()


def fake_names(
    monkeypatch: pytest.MonkeyPatch, names: dict[str, int | str]
) -> dict[str, int | str]:
    """Make `socket.getaddrinfo` answer for `names`: an address to use instead, or an EAI_* code.

    Other names resolve as usual. Returns `names`, which a test may change meanwhile.
    """
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        answer = names.get(host.decode() if isinstance(host, bytes) else host)
        if isinstance(answer, int):
            raise socket.gaierror(answer, "fake lookup failure")
        return real(answer or host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return names
