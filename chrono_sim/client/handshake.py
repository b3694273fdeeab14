"""Failures to open a WebSocket that no retry can fix, told apart by type and status code.

A reconnecting client (`FeedClient`) retries what time can fix: a refused or
reset connection (a server starting or restarting), a timeout, HTTP 429 and
5xx, a temporary failure of the name lookup, and a host name that stops
resolving after it once did (a VPN or network that went away can come back).
What only the user can fix ends the run at once, as `ServerUnreachableError`:

- the handshake answered with an HTTP 4xx status other than 429 (a wrong path
  is 404 whatever the wait);
- a host name that does not exist (`EAI_NONAME`), on the first attempt;
- a ws:// URL answered by a server that speaks TLS: it needs wss://.

The text of a library's message is never read: it differs between platforms
and versions. A TLS server is recognised by completing a TLS handshake with it.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
from http import HTTPStatus
from urllib.parse import urlsplit, urlunsplit

from websockets.exceptions import InvalidMessage, InvalidStatus

from chrono_sim.errors import ServerUnreachableError
from chrono_sim.failures import cannot_connect, describe_connect_error

# getaddrinfo's answers that mean "no such name", as opposed to "no answer for now".
_NO_SUCH_NAME = frozenset(
    code for code in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", None)) if code is not None
)
TLS_SNIFF_TIMEOUT = 3.0  # seconds: a server that speaks TLS answers a ClientHello at once


def refused_for_good(status: int) -> bool:
    """An HTTP status answering the handshake that no retry changes: 4xx, except 429."""
    return 400 <= status < 500 and status != HTTPStatus.TOO_MANY_REQUESTS


def describe_status(status: int, url: str) -> str:
    """`handshake answered HTTP 404 Not Found (no WebSocket endpoint at /wrong; ...)`."""
    try:
        phrase = f"HTTP {status} {HTTPStatus(status).phrase}"
    except ValueError:
        phrase = f"HTTP {status}"
    if status == HTTPStatus.NOT_FOUND:
        path = urlsplit(url).path or "/"
        hint = "" if path.endswith("/stream") else "; a Chrono server's is /stream"
        phrase += f" (no WebSocket endpoint at {path}{hint})"
    return f"handshake answered {phrase}"


def name_does_not_exist(exc: BaseException) -> bool:
    """The host name was looked up and does not exist (not: the lookup got no answer)."""
    return isinstance(exc, socket.gaierror) and exc.errno in _NO_SUCH_NAME


def describe_failure(exc: BaseException) -> str:
    """Why a connection could not be opened this time (it will be tried again), as a phrase."""
    if isinstance(exc, InvalidStatus):
        return f"HTTP {exc.response.status_code} from server"
    return describe_connect_error(exc)


async def unfixable(
    url: str, exc: BaseException, *, resolved_before: bool = False
) -> ServerUnreachableError | None:
    """The error to stop with, when opening `url` failed with `exc` for good; else None.

    `resolved_before`: the host name has resolved earlier in this run, so its
    not resolving now is a network change that can undo itself.
    """
    if isinstance(exc, InvalidStatus):
        status = exc.response.status_code
        if refused_for_good(status):
            return ServerUnreachableError(cannot_connect(url, describe_status(status, url)))
        return None
    if name_does_not_exist(exc) and not resolved_before:
        return ServerUnreachableError(cannot_connect(url, describe_connect_error(exc)))
    if isinstance(exc, InvalidMessage) and await _is_tls_server(url):
        tls_url = urlunsplit(urlsplit(url)._replace(scheme="wss"))
        return ServerUnreachableError(cannot_connect(url, f"the server speaks TLS: try {tls_url}"))
    return None


async def _is_tls_server(url: str) -> bool:
    """Whether the ws:// `url`'s host and port complete a TLS handshake (trusting anything)."""
    parts = urlsplit(url)
    if parts.scheme != "ws" or parts.hostname is None:
        return False
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # only asking whether it speaks TLS, not trusting it
    try:
        async with asyncio.timeout(TLS_SNIFF_TIMEOUT):
            _, writer = await asyncio.open_connection(parts.hostname, parts.port or 80, ssl=context)
    except (OSError, TimeoutError):  # ssl.SSLError is an OSError: not TLS, or not at all
        return False
    writer.close()
    with contextlib.suppress(OSError, TimeoutError):
        async with asyncio.timeout(TLS_SNIFF_TIMEOUT):
            await writer.wait_closed()
    return True
