"""A plain HTTP GET (no upgrade) on the WebSocket URL, over TLS for wss://."""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from urllib.parse import urlsplit

from chrono_sim.conformance.settings import CheckSettings
from chrono_sim.errors import CheckFailed

MAX_BODY = 64 * 1024


async def get_status(settings: CheckSettings) -> tuple[int, str]:
    """Status and body of `GET <path>` without upgrade headers; `CheckFailed` if no answer."""
    parts = urlsplit(settings.url)
    host = parts.hostname or ""
    context = (settings.ssl or ssl.create_default_context()) if settings.secure else None
    port = parts.port or (443 if settings.secure else 80)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    request = (
        f"GET {target} HTTP/1.1\r\nHost: {parts.netloc.rpartition('@')[2]}\r\n"
        "Accept: */*\r\nConnection: close\r\n\r\n"
    )
    try:
        async with asyncio.timeout(settings.timeout):
            reader, writer = await asyncio.open_connection(host, port, ssl=context)
            try:
                writer.write(request.encode())
                head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
                status_line, *header_lines = head.split("\r\n")
                headers = {
                    name.strip().lower(): value.strip()
                    for name, _, value in (line.partition(":") for line in header_lines if line)
                }
                length = headers.get("content-length")
                body = (
                    await reader.readexactly(int(length))
                    if length is not None
                    else await reader.read(MAX_BODY)
                )
            finally:
                writer.close()
                with contextlib.suppress(OSError):
                    await writer.wait_closed()
        status = int(status_line.split()[1])
    except TimeoutError:
        raise CheckFailed(f"plain GET: no answer within {settings.timeout:g} s") from None
    except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as exc:
        raise CheckFailed(f"plain GET failed: {exc}") from None
    except (ValueError, IndexError):
        raise CheckFailed("plain GET: the answer is not HTTP") from None
    return status, body.decode("utf-8", "replace")
