"""The server's log output: human text or JSON lines, with API keys redacted from every record.

Log calls pass structured fields with `extra=`, among them a stable `event`
name (`connection.open`, `connection.refused`, ...); the JSON format writes
them as fields, the text format only the message. Redaction runs on the
handler, after %-formatting, so it covers every logger that reaches it,
including the `websockets` library's, whose DEBUG lines show request paths
(`?api_key=`) and headers (`Authorization: Bearer`).
"""

from __future__ import annotations

import enum
import json
import logging
import re
import sys
from typing import TextIO
from urllib.parse import unquote_plus

from chrono_sim.protocol.keys import redact
from chrono_sim.protocol.timestamps import format_timestamp

TEXT_FORMAT = "%(asctime)s %(levelname)s %(message)s"
QUERY_KEY = "api_key"  # the query parameter that presents a key (chrono_sim.protocol.auth)

# A query parameter (redacted when its name, percent-decoded, is `api_key`: the server
# decodes names, so `api%5Fkey=` presents a key too), or the credentials of an
# `Authorization` header (whatever the scheme: another scheme may carry a secret too)
# or after `Bearer`. One pattern, so each secret is matched, and redacted, once.
_SECRET = re.compile(
    r"(?i)(?<![\w%.+-])(?P<name>[\w%.+-]+)=(?P<query>[^&\s#\"']+)"
    r"|(?P<head>\bauthorization:[ \t]*(?:[a-z][\w.+-]*[ \t]+(?=\S))?|\bbearer[ \t]+)"
    r"(?P<token>[^\s\"']+)"
)
# Text without any of these holds no key: the common case skips the pattern. A `%` may
# hide `api_key` in an encoded parameter name.
_MARKERS = ("api_key=", "authorization:", "bearer", "%")

# The attributes of every LogRecord; anything else came in through `extra=`.
_RECORD_ATTRIBUTES = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class LogFormat(enum.StrEnum):
    TEXT = "text"
    JSON = "json"


def redact_secrets(text: str) -> str:
    """`text` with each API key it shows (query string, Authorization, Bearer) redacted."""
    lowered = text.lower()
    if not any(marker in lowered for marker in _MARKERS):
        return text  # the common case: nothing to look for
    return _SECRET.sub(_redacted_match, text)


def _redacted_match(match: re.Match[str]) -> str:
    if match.group("query") is not None:
        name = match.group("name")
        if unquote_plus(name).lower() != QUERY_KEY:
            return match.group(0)
        return f"{name}={redact(match.group('query'))}"
    return match.group("head") + redact(match.group("token"))


class RedactingFilter(logging.Filter):
    """Rewrites each record so no API key shows: message (args applied), extras, traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a bad call must still not leak its arguments
            message = f"{record.msg} (unformattable arguments: {record.args!r})"
        record.msg, record.args = redact_secrets(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_secrets(record.exc_text)
        if record.stack_info:
            record.stack_info = redact_secrets(record.stack_info)
        for name, value in extra_fields(record).items():
            if isinstance(value, str):
                setattr(record, name, redact_secrets(value))
        return True


def extra_fields(record: logging.LogRecord) -> dict[str, object]:
    """The fields a log call passed with `extra=`."""
    return {name: value for name, value in vars(record).items() if name not in _RECORD_ATTRIBUTES}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: `ts`, `level`, `logger`, `message`, then the `extra=` fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "ts": format_timestamp(record.created),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name, value in extra_fields(record).items():
            entry.setdefault(name, value)
        if "websocket" in entry:
            # The websockets library's records carry their connection, whose text is a
            # bare repr ("<...Connection object at 0x...>"): its peer says which one.
            peer = _peer_of(entry.pop("websocket"))
            if peer is not None:
                entry.setdefault("peer", peer)
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exc"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        # A library's extra (an object) becomes its text, redacted, rather than an error.
        return json.dumps(entry, ensure_ascii=False, default=_text)


def _text(value: object) -> str:
    return redact_secrets(str(value))


def _peer_of(connection: object) -> str | None:
    """The peer of a websockets connection (`host:port`), if it still has one."""
    try:
        address = getattr(connection, "remote_address", None)
    except ReferenceError:  # websockets passes a weak proxy; the connection may be gone
        return None
    return None if address is None else format_peer(address)


def configure(
    log_format: LogFormat, *, verbosity: int = 0, stream: TextIO | None = None
) -> logging.Handler:
    """Send every log record to `stream` (stderr), formatted and redacted; returns the handler.

    Verbosity 0 logs INFO and up; 1 adds DEBUG (every connection); 2 also the
    `websockets` library's DEBUG lines (every handshake and frame it handles),
    which otherwise logs only warnings, its INFO lines duplicating ours.
    """
    handler = _Handler(stream or sys.stderr)
    handler.setFormatter(
        JsonFormatter() if log_format is LogFormat.JSON else logging.Formatter(TEXT_FORMAT)
    )
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    for previous in [h for h in root.handlers if isinstance(h, _Handler)]:
        root.removeHandler(previous)  # configured again (in one process): replace, not add
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbosity else logging.INFO)
    logging.getLogger("websockets").setLevel(logging.DEBUG if verbosity >= 2 else logging.WARNING)
    return handler


class _Handler(logging.StreamHandler):  # type: ignore[type-arg]
    """The handler `configure` installs, told apart from any other on the root logger."""


def format_peer(address: object) -> str:
    """A socket address as `host:port` (`[host]:port` for IPv6); anything else as text."""
    if isinstance(address, tuple) and len(address) >= 2:
        host, port = address[0], address[1]
        return f"[{host}]:{port}" if ":" in str(host) else f"{host}:{port}"
    return str(address)
