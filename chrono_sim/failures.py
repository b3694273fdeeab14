"""The one vocabulary of failures: each class of failure worded once, for every command.

Errors are classified by exception type and `errno`, never by the text of a
library's message, which differs between platforms, Python versions and
libraries (`[Errno 111] Connection refused`, `Connect call failed`, ...):

- listening: address already in use, address not available;
- connecting: connection refused, host name not resolved, host or network
  unreachable, connection reset or aborted, closed without an answer, timed
  out, TLS certificate not trusted, TLS handshake failed;
- files: no such file or directory, permission denied, is a directory, a part
  of the path is not a directory, no space left on the device, read-only file
  system.

A phrase names the failure only; the caller's message says what (`cannot connect
to URL: ...`, `cannot listen on HOST:PORT: ...`, `FILE: cannot create the file: ...`).
"""

from __future__ import annotations

import errno
import http.client
import socket
import ssl
from typing import Final

# OpenSSL's verify results that mean "signed by a CA you do not trust": --cafile fixes those.
_UNKNOWN_ISSUER: Final = frozenset(
    {
        18,  # X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT
        19,  # X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN
        20,  # X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY
        21,  # X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE
    }
)

CONNECTION_REFUSED: Final = "connection refused (is the server up?)"
NAME_NOT_RESOLVED: Final = "host name not found"
NAME_LOOKUP_FAILED: Final = "host name lookup failed for now (no answer from DNS)"
TIMED_OUT: Final = "timed out"
CONNECTION_RESET: Final = "connection reset by the server"
CLOSED_WITHOUT_ANSWER: Final = "the server closed the connection without answering"
TLS_FAILED: Final = "TLS handshake failed"

_BY_ERRNO: Final = {
    errno.EADDRINUSE: "address already in use (another server on that port?)",
    errno.EADDRNOTAVAIL: "address not available on this machine",
    errno.ECONNREFUSED: CONNECTION_REFUSED,
    errno.ETIMEDOUT: TIMED_OUT,
    errno.EHOSTUNREACH: "host unreachable",
    errno.ENETUNREACH: "network unreachable",
    errno.ECONNRESET: CONNECTION_RESET,
    errno.ENOENT: "no such file or directory",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EISDIR: "is a directory",
    errno.ENOTDIR: "a part of the path is not a directory",
    errno.ENOSPC: "no space left on the device",
    errno.EDQUOT: "disk quota exceeded",
    errno.EROFS: "read-only file system",
}


# Connection failures raised without an errno (by asyncio, http.client, ssl): by type.
# Checked in order: the first class `exc` is an instance of names it.
_BY_TYPE: Final[tuple[tuple[type[BaseException], str], ...]] = (
    (TimeoutError, TIMED_OUT),  # also socket.timeout, asyncio's timeouts
    (http.client.RemoteDisconnected, CLOSED_WITHOUT_ANSWER),  # a ConnectionResetError
    (ssl.SSLEOFError, "the server closed the connection during the TLS handshake"),
    (ssl.SSLZeroReturnError, "the server closed the TLS connection"),
    (ssl.SSLError, TLS_FAILED),  # its errno is OpenSSL's code, not an errno
    (ConnectionRefusedError, CONNECTION_REFUSED),
    (ConnectionResetError, CONNECTION_RESET),
    (ConnectionAbortedError, "connection aborted"),
    (BrokenPipeError, "connection closed by the server (broken pipe)"),
    (EOFError, CLOSED_WITHOUT_ANSWER),  # asyncio.IncompleteReadError too
    (http.client.HTTPException, "the server did not answer with valid HTTP"),
)


def _classified(exc: BaseException) -> str | None:
    """The phrase for `exc` from its type and errno, or None if neither names it."""
    if isinstance(exc, ssl.SSLCertVerificationError):
        return describe_untrusted(exc)
    if isinstance(exc, socket.gaierror):  # its errno is an EAI_* code, not an errno
        return NAME_LOOKUP_FAILED if exc.errno == socket.EAI_AGAIN else NAME_NOT_RESOLVED
    # An SSLError's errno is OpenSSL's code (1, 8, ...), not an errno: its type names it.
    system = isinstance(exc, OSError) and not isinstance(exc, ssl.SSLError)
    errno_code = exc.errno if isinstance(exc, OSError) and system else None
    phrase = _BY_ERRNO.get(errno_code) if errno_code is not None else None
    phrase = phrase or next((text for kind, text in _BY_TYPE if isinstance(exc, kind)), None)
    if phrase is None and errno_code is not None and isinstance(exc, OSError) and exc.strerror:
        phrase = exc.strerror[:1].lower() + exc.strerror[1:]  # the OS's words for its errno
    return phrase


def describe_os_error(exc: BaseException) -> str:
    """What went wrong, as a short phrase without the path or address (the caller names it)."""
    return _classified(exc) or f"system error ({type(exc).__name__})"


def describe_connect_error(exc: BaseException) -> str:
    """Why a connection could not be opened, as a short phrase for a one-line message.

    Unwraps urllib's `URLError` (its `reason` is the socket's own error).
    """
    reason = getattr(exc, "reason", None)
    if isinstance(reason, BaseException):
        exc = reason
    return _classified(exc) or f"connection failed ({type(exc).__name__})"


def cannot_connect(url: str, reason: str) -> str:
    """The one sentence for a server that could not be reached, from any command."""
    return f"cannot connect to {url}: {reason}"


def cannot_listen(address: str, reason: str) -> str:
    """The one sentence for a server that could not start listening (`serve`, `demo`)."""
    return f"cannot listen on {address}: {reason}"


def describe_untrusted(exc: ssl.SSLCertVerificationError) -> str:
    """A refused server certificate as a phrase, with the way out when there is one."""
    why = exc.verify_message or exc.reason or "verification failed"
    hint = "; a private CA needs --cafile" if exc.verify_code in _UNKNOWN_ISSUER else ""
    return f"TLS certificate not trusted ({why}){hint}"
