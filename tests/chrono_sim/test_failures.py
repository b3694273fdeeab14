"""Each class of failure has one phrase, found from the exception's type and errno alone."""

from __future__ import annotations

import errno
import socket
import urllib.error

import pytest

from chrono_sim.failures import (
    CONNECTION_REFUSED,
    NAME_NOT_RESOLVED,
    TIMED_OUT,
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
