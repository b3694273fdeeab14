"""Each class of failure has one phrase, found from the exception's type and errno alone."""

from __future__ import annotations

import errno
import http.client
import socket
import ssl
import urllib.error

import pytest

from chrono_sim.failures import (
    CLOSED_WITHOUT_ANSWER,
    CONNECTION_REFUSED,
    CONNECTION_RESET,
    NAME_NOT_RESOLVED,
    TIMED_OUT,
    TLS_FAILED,
    cannot_connect,
    describe_connect_error,
    describe_os_error,
)


@pytest.mark.parametrize(
    ("exc", "phrase"),
    [
        (ConnectionRefusedError(errno.ECONNREFUSED, "Connect call failed"), CONNECTION_REFUSED),
        (OSError(errno.ECONNREFUSED, "whatever the platform says"), CONNECTION_REFUSED),
        (socket.gaierror(socket.EAI_NONAME, "Name or service not known"), NAME_NOT_RESOLVED),
        (TimeoutError(), TIMED_OUT),
        (OSError(errno.EHOSTUNREACH, "No route to host"), "host unreachable"),
        (FileNotFoundError(errno.ENOENT, "No such file"), "no such file or directory"),
        (PermissionError(errno.EACCES, "Permission denied"), "permission denied"),
        (IsADirectoryError(errno.EISDIR, "Is a directory"), "is a directory"),
        (NotADirectoryError(errno.ENOTDIR, "Not a dir"), "a part of the path is not a directory"),
        (OSError(errno.ENOSPC, "No space left on device"), "no space left on the device"),
        (OSError(errno.EBADF, "Bad file descriptor"), "bad file descriptor"),
        # Raised without an errno (asyncio, http.client, ssl): classified by type.
        (ConnectionResetError(), CONNECTION_RESET),
        (ConnectionAbortedError(), "connection aborted"),
        (BrokenPipeError(), "connection closed by the server (broken pipe)"),
        (http.client.RemoteDisconnected("Remote end closed"), CLOSED_WITHOUT_ANSWER),
        (EOFError(), CLOSED_WITHOUT_ANSWER),
        # An SSLError's errno is OpenSSL's (1 is not EPERM, 8 not ENOEXEC): never its text.
        (ssl.SSLError(1, "[SSL: WRONG_VERSION_NUMBER] wrong version"), TLS_FAILED),
        (ssl.SSLEOFError(8, "[SSL: UNEXPECTED_EOF_WHILE_READING] EOF"),
         "the server closed the connection during the TLS handshake"),
    ],
)  # fmt: skip
def test_failures_are_classified_by_type_and_errno(exc: BaseException, phrase: str) -> None:
    assert describe_os_error(exc) == phrase


def test_urllib_errors_are_worded_by_their_reason() -> None:
    refused = urllib.error.URLError(ConnectionRefusedError(errno.ECONNREFUSED, "refused"))
    assert describe_connect_error(refused) == CONNECTION_REFUSED
    assert "Errno" not in cannot_connect("ws://h:1/stream", describe_connect_error(refused))


def test_one_sentence_for_a_server_not_reached() -> None:
    assert (
        cannot_connect("ws://h:1/stream", TIMED_OUT)
        == "cannot connect to ws://h:1/stream: timed out"
    )


class UnheardError(Exception):
    """An exception no table knows."""


def test_the_last_resort_is_a_phrase_naming_the_class_not_its_text() -> None:
    assert describe_os_error(UnheardError("library text")) == "system error (UnheardError)"
    assert (
        describe_connect_error(UnheardError("library text")) == "connection failed (UnheardError)"
    )
    assert describe_connect_error(OSError("library text")) == "connection failed (OSError)"


def test_urllib_wraps_tls_errors_that_are_worded_by_type() -> None:
    wrapped = urllib.error.URLError(ssl.SSLEOFError(8, "[SSL: UNEXPECTED_EOF] library text"))
    assert "SSL" not in describe_connect_error(wrapped)
