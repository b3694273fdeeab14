"""Log output: JSON lines with structured fields, and no API key in full in any record."""

from __future__ import annotations

import io
import json
import logging
import re
import sys
import weakref
from collections.abc import Iterator

import pytest

from chrono_sim.protocol.auth import presented_key
from chrono_sim.protocol.keys import redact
from chrono_sim.server.logs import (
    JsonFormatter,
    LogFormat,
    RedactingFilter,
    configure,
    format_peer,
    redact_secrets,
)

KEY = "query_secret_key_0123456789"
TOKEN = "header_secret_key_9876543210"


def record(msg: str, *args: object, **extra: object) -> logging.LogRecord:
    made = logging.LogRecord("websockets.server", logging.DEBUG, __file__, 1, msg, args, None)
    made.__dict__.update(extra)
    return made


def filtered(made: logging.LogRecord) -> logging.LogRecord:
    assert RedactingFilter().filter(made)
    return made


# --- redaction ----------------------------------------------------------------


def test_a_query_string_key_in_the_arguments_is_redacted() -> None:
    made = filtered(record("< GET %s HTTP/1.1", f"/stream?api_key={KEY}"))

    assert made.getMessage() == f"< GET /stream?api_key={redact(KEY)} HTTP/1.1"


def test_a_bearer_token_in_the_arguments_is_redacted() -> None:
    made = filtered(record("< %s: %s", "Authorization", f"Bearer {TOKEN}"))

    assert made.getMessage() == f"< Authorization: Bearer {redact(TOKEN)}"


def test_the_credentials_of_any_authorization_scheme_are_redacted() -> None:
    made = filtered(record("< Authorization: %s", f"Basic {TOKEN}"))

    assert TOKEN not in made.getMessage()


def test_a_key_among_other_query_parameters_is_redacted_and_the_rest_kept() -> None:
    text = redact_secrets(f"/stream?a=1&API_KEY={KEY}&b=2")

    assert text == f"/stream?a=1&API_KEY={redact(KEY)}&b=2"


@pytest.mark.parametrize("name", ["api%5Fkey", "%61pi_key", "api_%6Bey", "%61%70%69%5F%6B%65%79"])
def test_a_key_whose_parameter_name_is_percent_encoded_is_redacted(name: str) -> None:
    # The server decodes parameter names (parse_qs), so each of these presents the key.
    path = f"/stream?{name}={KEY}"
    assert presented_key(None, path) == KEY
    assert (
        redact_secrets(f"< GET {path} HTTP/1.1") == f"< GET /stream?{name}={redact(KEY)} HTTP/1.1"
    )


def test_other_parameters_are_left_alone_even_when_encoded() -> None:
    assert redact_secrets("/stream?symbol=BTC%2FUSD&x=1") == "/stream?symbol=BTC%2FUSD&x=1"


def test_a_short_key_is_hidden_entirely() -> None:
    assert redact_secrets("/stream?api_key=abc") == "/stream?api_key=***"


def test_a_message_without_a_key_is_left_alone() -> None:
    made = filtered(record("open %s key=%s", "127.0.0.1:5000", "chrono…001"))

    assert made.getMessage() == "open 127.0.0.1:5000 key=chrono…001"


def test_string_fields_passed_with_extra_are_redacted() -> None:
    made = filtered(record("request", path=f"/stream?api_key={KEY}"))

    assert KEY not in made.__dict__["path"]


def test_a_traceback_is_redacted() -> None:
    try:
        raise ValueError(f"bad header Authorization: Bearer {TOKEN}")
    except ValueError:
        made = record("handshake failed")
        made.exc_info = sys.exc_info()
    filtered(made)

    assert TOKEN not in logging.Formatter().format(made)


def test_a_call_with_mismatched_arguments_still_hides_them() -> None:
    made = filtered(record("only one %s", f"/stream?api_key={KEY}", "surplus"))

    assert KEY not in made.getMessage()


# --- JSON lines ---------------------------------------------------------------


def test_a_json_line_carries_time_level_logger_message_and_extra_fields() -> None:
    made = record("open %s", "127.0.0.1:5000", event="connection.open", peer="127.0.0.1:5000")
    made.created, made.msecs = 1_760_106_600.25, 250.0

    entry = json.loads(JsonFormatter().format(made))

    assert entry == {
        "ts": "2025-10-10T14:30:00.250Z",
        "level": "DEBUG",
        "logger": "websockets.server",
        "message": "open 127.0.0.1:5000",
        "event": "connection.open",
        "peer": "127.0.0.1:5000",
    }


def test_a_json_line_is_one_line_even_for_a_traceback() -> None:
    try:
        raise ValueError("first\nsecond")
    except ValueError:
        made = record("failed")
        made.exc_info = sys.exc_info()

    line = JsonFormatter().format(made)

    assert "\n" not in line
    assert "second" in json.loads(line)["exc"]


def test_an_extra_field_that_is_not_json_becomes_its_redacted_text() -> None:
    class Request:
        def __str__(self) -> str:
            return f"request for /stream?api_key={KEY}"

    entry = json.loads(JsonFormatter().format(record("x", request=Request())))

    assert entry["request"] == f"request for /stream?api_key={redact(KEY)}"


class Connection:
    """Stands in for a websockets connection: its repr is an address in memory."""

    remote_address = ("203.0.113.7", 51234)


def test_a_websockets_connection_shows_as_its_peer_not_its_repr() -> None:
    connection = Connection()  # the library passes a weak proxy to it
    entry = json.loads(JsonFormatter().format(record("x", websocket=weakref.proxy(connection))))

    assert "websocket" not in entry
    assert entry["peer"] == "203.0.113.7:51234"


def test_a_websockets_connection_already_gone_is_left_out() -> None:
    proxy = weakref.proxy(Connection())  # its connection is collected at once

    entry = json.loads(JsonFormatter().format(record("x", websocket=proxy)))

    assert "websocket" not in entry
    assert "peer" not in entry


# --- the handler `chrono serve` installs ---------------------------------------


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root, library = logging.getLogger(), logging.getLogger("websockets")
    handlers, level, library_level = root.handlers[:], root.level, library.level
    yield
    root.handlers[:], root.level = handlers, level
    library.setLevel(library_level)


@pytest.mark.usefixtures("restore_logging")
def test_the_installed_handler_redacts_the_websockets_librarys_lines() -> None:
    stream = io.StringIO()
    configure(LogFormat.JSON, verbosity=2, stream=stream)

    logging.getLogger("websockets.server").debug("< GET %s HTTP/1.1", f"/stream?api_key={KEY}")

    entry = json.loads(stream.getvalue())
    assert entry["message"] == f"< GET /stream?api_key={redact(KEY)} HTTP/1.1"


@pytest.mark.usefixtures("restore_logging")
def test_the_websockets_librarys_debug_lines_show_only_when_very_verbose() -> None:
    stream = io.StringIO()
    configure(LogFormat.TEXT, verbosity=1, stream=stream)

    logging.getLogger("websockets.server").debug("< GET /stream HTTP/1.1")
    logging.getLogger("chrono_sim.server").debug("open 127.0.0.1:5000")

    assert re.fullmatch(r"\S+ \S+ DEBUG open 127\.0\.0\.1:5000\n", stream.getvalue())


@pytest.mark.usefixtures("restore_logging")
def test_configuring_again_replaces_the_handler() -> None:
    first, second = io.StringIO(), io.StringIO()
    configure(LogFormat.TEXT, stream=first)
    configure(LogFormat.TEXT, stream=second)

    logging.getLogger("chrono_sim.server").info("hello")

    assert (first.getvalue(), second.getvalue().count("hello")) == ("", 1)


def test_peers_print_as_host_and_port() -> None:
    assert format_peer(("127.0.0.1", 5000)) == "127.0.0.1:5000"
    assert format_peer(("::1", 5000, 0, 0)) == "[::1]:5000"
