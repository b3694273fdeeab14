"""Failures to open a WebSocket that no retry can fix, told apart by type and status code.

A reconnecting client (`FeedClient`) retries what time can fix: a refused or
reset connection (a server starting or restarting), a timeout, HTTP 429 and
5xx, a temporary failure of the name lookup, and a host name that stops
resolving after it once did (a VPN or network that went away can come back).
What only the user can fix ends the run at once, as `ServerUnreachableError`:

- the handshake answered with an HTTP 4xx status other than 429 (a wrong path
  is 404 whatever the wait);
- a host name that does not exist (`EAI_NONAME`), on the first attempt;
- a ws:// URL answered by a server that speaks TLS: it needs wss://;
- a wss:// URL answered by a server that does not speak TLS: it needs ws://.

The text of a library's message is never read: it differs between platforms
and versions. A TLS server is recognised by completing a TLS handshake with it,
a plain one by answering a minimal HTTP request with `HTTP/`. The sniffs are
blocking (`fetch_symbols` runs in a thread); `unfixable` runs them in one.
"""

from __future__ import annotations

import asyncio
import http.client
import socket
import ssl
from http import HTTPStatus
from urllib.parse import urlsplit, urlunsplit

from websockets.exceptions import InvalidHandshake, InvalidMessage, InvalidStatus

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
    if isinstance(exc, InvalidMessage):  # its cause says why: often EOFError, a hang-up
        cause = exc.__cause__
        if isinstance(cause, (OSError, EOFError)):
            return describe_connect_error(cause)
        return "the server did not answer with valid HTTP"
    if isinstance(exc, InvalidHandshake):
        return f"the server refused the WebSocket handshake ({type(exc).__name__})"
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
    if may_be_wrong_scheme(url, exc) and (reason := await asyncio.to_thread(wrong_scheme, url)):
        return ServerUnreachableError(cannot_connect(url, reason))
    return None


def may_be_wrong_scheme(url: str, exc: BaseException) -> bool:
    """Whether `exc` is how a server speaking the other scheme (TLS or not) answers `url`.

    ws:// to a TLS server: no valid HTTP answer. wss:// to a plain server: the TLS
    handshake fails, or the connection is reset or closed during it. An untrusted
    certificate is TLS. Anything else is not worth a sniffing connection.
    """
    scheme = urlsplit(url).scheme
    if scheme == "ws":
        return isinstance(exc, (InvalidMessage, http.client.HTTPException))
    if scheme == "wss" and not isinstance(exc, ssl.SSLCertVerificationError):
        return isinstance(
            exc,
            (
                ssl.SSLError,
                ConnectionResetError,
                ConnectionAbortedError,
                BrokenPipeError,
                EOFError,
                InvalidMessage,
            ),
        )
    return False


def wrong_scheme(url: str) -> str | None:
    """`the server speaks TLS: try wss://...` (or `does not speak TLS: try ws://...`), or None.

    Blocking: opens one more connection to `url`'s host and port to find out.
    """
    parts = urlsplit(url)
    if parts.scheme == "ws" and is_tls_server(url):
        return f"the server speaks TLS: try {urlunsplit(parts._replace(scheme='wss'))}"
    if parts.scheme == "wss" and is_plain_http_server(url):
        return f"the server does not speak TLS: try {urlunsplit(parts._replace(scheme='ws'))}"
    return None


def _address(url: str, default_port: int) -> tuple[str, int] | None:
    parts = urlsplit(url)
    try:
        port = parts.port or default_port
    except ValueError:
        return None
    return (parts.hostname, port) if parts.hostname else None


def is_tls_server(url: str) -> bool:
    """Whether `url`'s host and port complete a TLS handshake (trusting anything)."""
    address = _address(url, 80)
    if address is None:
        return False
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # only asking whether it speaks TLS, not trusting it
    try:
        with (
            socket.create_connection(address, timeout=TLS_SNIFF_TIMEOUT) as raw,
            context.wrap_socket(raw, server_hostname=address[0]),
        ):
            return True
    except OSError:  # ssl.SSLError and TimeoutError are OSErrors: not TLS, or not at all
        return False


def is_plain_http_server(url: str) -> bool:
    """Whether `url`'s host and port answer a plain HTTP request with `HTTP/` (no TLS)."""
    address = _address(url, 443)
    if address is None:
        return False
    request = f"HEAD / HTTP/1.1\r\nHost: {address[0]}\r\nConnection: close\r\n\r\n"
    answer = b""
    try:
        with socket.create_connection(address, timeout=TLS_SNIFF_TIMEOUT) as sock:
            sock.sendall(request.encode("ascii", "replace"))
            while len(answer) < len(b"HTTP/") and (chunk := sock.recv(16)):
                answer += chunk
    except OSError:  # refused, reset, timed out: not a plain HTTP server, or not at all
        return False
    return answer.startswith(b"HTTP/")
