"""Every client message gets a defined reply: pings, validation errors, `id` echo."""

from __future__ import annotations

import msgspec

from chrono_sim.protocol.messages import Error, ErrorCode, Pong
from tests.support.sessions import Client


def validation_error(client: Client, data: str | bytes) -> Error:
    client.send_raw(data)
    reply = client.reply()
    assert isinstance(reply, Error), reply
    assert reply.code == ErrorCode.VALIDATION_ERROR
    assert reply.message.startswith("Invalid message format")
    return reply


def test_ping_is_answered_with_a_pong_and_timestamp(client: Client) -> None:
    assert client.request(type="ping") == Pong(timestamp="2025-10-10T14:30:00.000Z")


def test_ping_echoes_its_id(client: Client) -> None:
    reply = client.request(type="ping", id="p1")
    assert isinstance(reply, Pong)
    assert reply.id == "p1"


def test_unknown_extra_fields_are_ignored(client: Client) -> None:
    assert isinstance(client.request(type="ping", trace="abc", nested={"x": [1]}), Pong)


def test_invalid_json_is_a_validation_error(client: Client) -> None:
    validation_error(client, "{not json")


def test_a_non_object_is_a_validation_error(client: Client) -> None:
    for data in ("[]", "42", '"ping"', "null"):
        validation_error(client, data)


def test_a_missing_type_is_a_validation_error(client: Client) -> None:
    assert "type" in validation_error(client, '{"symbols": ["BTC/USD"]}').message


def test_an_unknown_or_non_string_type_is_a_validation_error(client: Client) -> None:
    validation_error(client, '{"type": "subscribed"}')
    validation_error(client, '{"type": 1}')


def test_a_binary_frame_is_a_validation_error(client: Client) -> None:
    assert "binary" in validation_error(client, b'{"type":"ping"}').message


def test_an_invalid_message_still_echoes_a_readable_id(client: Client) -> None:
    assert validation_error(client, '{"type": "subscribe", "symbols": 5, "id": 9}').id == 9


def test_an_id_of_the_wrong_type_is_a_validation_error_without_echo(client: Client) -> None:
    reply = validation_error(client, '{"type": "ping", "id": {"a": 1}}')
    assert "id" in reply.message
    assert "id" not in msgspec.to_builtins(reply)


def test_the_connection_keeps_working_after_an_invalid_message(client: Client) -> None:
    validation_error(client, "garbage")
    assert isinstance(client.request(type="ping"), Pong)


def test_deeply_nested_json_is_a_validation_error(client: Client) -> None:
    nested = "[" * 5000 + "]" * 5000
    reply = validation_error(client, f'{{"type": "ping", "id": 4, "x": {nested}}}')
    assert "nested" in reply.message
