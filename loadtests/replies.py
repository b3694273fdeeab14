"""Request/reply helpers over a `wsconn.Conn`: admission, a request and its reply."""

from __future__ import annotations

import time
from collections.abc import Callable

from wsconn import Closed, Conn, Frame

REPLY_TIMEOUT = 10.0  # seconds to wait for a reply before calling it lost


class Admission:
    """Whether a fresh connection was admitted (a pong came back) or refused, and how."""

    def __init__(self, reply: Frame | Closed | None, conn: Conn, timeout: float) -> None:
        self.admitted = isinstance(reply, Frame) and reply.type == "pong"
        self.code: str | None = None
        self.retry_after_ms: int | None = None
        self.close_code: int | None = None
        self.detail = "no reply" if reply is None else ""
        if isinstance(reply, Frame) and reply.type == "error":
            self.code = str(reply.message.get("code"))
            retry = reply.message.get("retry_after_ms")
            self.retry_after_ms = retry if isinstance(retry, int) else None
            reply = wait_close(conn, timeout)  # a refusal is an error, then the close
        if isinstance(reply, Closed):
            self.close_code = reply.code
            self.detail = reply.describe()

    def __str__(self) -> str:
        if self.admitted:
            return "admitted"
        parts = [f"refused {self.code}" if self.code else "no error message"]
        parts.append(self.detail or "not closed")
        return ", ".join(parts)


def admission(conn: Conn, timeout: float = REPLY_TIMEOUT) -> Admission:
    """Ping a new connection: a pong means admitted; an error then a close means refused."""
    request_id = conn.next_id()
    conn.send({"type": "ping", "id": request_id})
    return Admission(await_reply(conn, request_id, timeout=timeout), conn, timeout)


def request(
    conn: Conn, message: dict[str, object], timeout: float = REPLY_TIMEOUT
) -> Frame | Closed | None:
    """Send `message` with a fresh id and return the reply to it."""
    request_id = conn.next_id()
    conn.send({**message, "id": request_id})
    return await_reply(conn, request_id, timeout=timeout)


def await_reply(
    conn: Conn,
    request_id: int,
    *,
    timeout: float = REPLY_TIMEOUT,
    on_other: Callable[[Frame], None] | None = None,
) -> Frame | Closed | None:
    """Read until the reply carrying `request_id`, an error without an id (a refusal of the
    connection), the close, or `timeout` (None). Other frames go to `on_other`, if given.
    """
    deadline = time.monotonic() + timeout
    while (remaining := deadline - time.monotonic()) > 0:
        event = conn.receive(remaining)
        if event is None or isinstance(event, Closed):
            return event
        reply_id = event.message.get("id")
        if reply_id == request_id or (event.type == "error" and reply_id is None):
            return event
        if on_other is not None:
            on_other(event)
    return None


def wait_close(conn: Conn, timeout: float) -> Closed | None:
    deadline = time.monotonic() + timeout
    while (remaining := deadline - time.monotonic()) > 0:
        event = conn.receive(remaining)
        if isinstance(event, Closed):
            return event
    return None


def refused(reply: Frame, conn: Conn) -> Exception:
    closed = wait_close(conn, REPLY_TIMEOUT)
    after = closed.describe() if closed else "not closed"
    return ConnectionRefusedError(f"{reply.message.get('code')}: {after}")


def error_of(frame: Frame) -> Exception:
    return RuntimeError(f"{frame.message.get('code')}: {frame.message.get('message')}")


def unexpected(reply: Frame | Closed | None) -> Exception:
    if reply is None:
        return TimeoutError(f"no reply within {REPLY_TIMEOUT:g}s")
    if isinstance(reply, Closed):
        return ConnectionError(f"closed: {reply.describe()}")
    if reply.type == "error":
        return error_of(reply)
    return RuntimeError(f"unexpected {reply.type} reply")


def ms_since(since: float) -> float:
    return (time.perf_counter() - since) * 1000
