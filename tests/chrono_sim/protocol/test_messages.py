"""The `/stream` wire format: decoding client messages, encoding server messages."""

from __future__ import annotations

import json

import pytest
from msgspec import UNSET

from chrono_sim.errors import MessageError
from chrono_sim.protocol.messages import (
    Error,
    ErrorCode,
    Ping,
    Pong,
    PriceUpdate,
    ServerMessage,
    Subscribe,
    Subscribed,
    Unsubscribe,
    Unsubscribed,
    decode_client_message,
    decode_server_message,
    encode,
)

DOC_TIME = "2025-10-10T14:30:00.000Z"


def _compact(document_json: str) -> bytes:
    """The wire bytes of a JSON example as the protocol document prints it (order kept)."""
    return json.dumps(json.loads(document_json), separators=(",", ":")).encode()


def _reject(data: str | bytes) -> MessageError:
    with pytest.raises(MessageError) as caught:
        decode_client_message(data)
    return caught.value


# --- decoding client messages: accepted --------------------------------------


def test_subscribe_is_decoded_with_its_symbols() -> None:
    message = decode_client_message('{"type": "subscribe", "symbols": ["BTC/USD", "ETH/USD"]}')

    assert message == Subscribe(symbols=["BTC/USD", "ETH/USD"])


def test_subscribe_snapshot_defaults_to_false() -> None:
    message = decode_client_message('{"type": "subscribe", "symbols": ["BTC/USD"]}')

    assert isinstance(message, Subscribe)
    assert message.snapshot is False


def test_subscribe_carries_snapshot_and_id_when_given() -> None:
    message = decode_client_message(
        '{"type": "subscribe", "symbols": ["BTC/USD"], "snapshot": true, "id": "req-1"}'
    )

    assert message == Subscribe(symbols=["BTC/USD"], snapshot=True, id="req-1")


def test_unsubscribe_with_symbols_is_decoded() -> None:
    message = decode_client_message('{"type": "unsubscribe", "symbols": ["BTC/USD"]}')

    assert message == Unsubscribe(symbols=["BTC/USD"])


def test_unsubscribe_without_symbols_means_all() -> None:
    message = decode_client_message('{"type": "unsubscribe"}')

    assert isinstance(message, Unsubscribe)
    assert message.symbols is UNSET


def test_ping_is_decoded() -> None:
    assert decode_client_message('{"type": "ping"}') == Ping()


@pytest.mark.parametrize("message_id", [0, 7, -3, "abc", ""])
def test_integer_and_string_ids_are_accepted(message_id: int | str) -> None:
    message = decode_client_message(json.dumps({"type": "ping", "id": message_id}))

    assert message == Ping(id=message_id)


def test_bytes_frames_decode_like_text_frames() -> None:
    assert decode_client_message(b'{"type": "ping"}') == Ping()


def test_unknown_extra_fields_are_ignored() -> None:
    message = decode_client_message(
        '{"type": "subscribe", "symbols": ["BTC/USD"], "extra": 1, "nested": {"a": [null]}}'
    )

    assert message == Subscribe(symbols=["BTC/USD"])


# --- decoding client messages: rejected --------------------------------------


@pytest.mark.parametrize("data", ["", "{", "not json", '{"type": "ping"', b"\xff\xfe"])
def test_invalid_json_is_rejected(data: str | bytes) -> None:
    assert _reject(data).detail


@pytest.mark.parametrize("data", ["[]", '"ping"', "42", "null", "true", '["ping"]'])
def test_non_object_is_rejected(data: str) -> None:
    assert "object" in _reject(data).detail


def test_missing_type_is_rejected() -> None:
    assert "type" in _reject('{"symbols": ["BTC/USD"]}').detail


@pytest.mark.parametrize("message_type", ["subscribed", "price_update", "PING", "hello", ""])
def test_unknown_type_is_rejected(message_type: str) -> None:
    error = _reject(json.dumps({"type": message_type}))

    assert "unknown message type" in error.detail


@pytest.mark.parametrize("type_value", ["1", "null", "true", '["ping"]', '{"name": "ping"}'])
def test_non_string_type_is_rejected(type_value: str) -> None:
    error = _reject(f'{{"type": {type_value}}}')

    assert "type" in error.detail


@pytest.mark.parametrize(
    ("message", "field"),
    [
        pytest.param({"type": "subscribe"}, "symbols", id="symbols-missing"),
        pytest.param({"type": "subscribe", "symbols": "BTC/USD"}, "symbols", id="symbols-str"),
        pytest.param({"type": "subscribe", "symbols": None}, "symbols", id="symbols-null"),
        pytest.param({"type": "subscribe", "symbols": []}, "symbols", id="symbols-empty"),
        pytest.param({"type": "subscribe", "symbols": [""]}, "symbols", id="symbol-empty-string"),
        pytest.param({"type": "subscribe", "symbols": [42]}, "symbols", id="symbol-int"),
        pytest.param(
            {"type": "subscribe", "symbols": ["BTC/USD"], "snapshot": "yes"},
            "snapshot",
            id="snapshot-str",
        ),
        pytest.param(
            {"type": "subscribe", "symbols": ["BTC/USD"], "snapshot": 1},
            "snapshot",
            id="snapshot-int",
        ),
        pytest.param({"type": "ping", "id": True}, "id", id="id-bool"),
        pytest.param({"type": "ping", "id": 1.5}, "id", id="id-float"),
        pytest.param({"type": "ping", "id": 1.0}, "id", id="id-integral-float"),
        pytest.param({"type": "ping", "id": {"n": 1}}, "id", id="id-object"),
        pytest.param({"type": "ping", "id": [1]}, "id", id="id-array"),
        pytest.param({"type": "ping", "id": None}, "id", id="id-null"),
    ],
)
def test_field_of_wrong_type_is_rejected_naming_the_field(
    message: dict[str, object], field: str
) -> None:
    error = _reject(json.dumps(message))

    assert field in error.detail


@pytest.mark.parametrize("symbols", [None, []], ids=["null", "empty-list"])
def test_unsubscribe_symbols_when_present_must_be_a_non_empty_list(symbols: object) -> None:
    error = _reject(json.dumps({"type": "unsubscribe", "symbols": symbols}))

    assert "symbols" in error.detail


# --- the id of an invalid message -------------------------------------------


@pytest.mark.parametrize("message_id", [7, "req-7"])
def test_id_of_an_invalid_message_is_readable_on_the_error(message_id: int | str) -> None:
    error = _reject(json.dumps({"type": "subscribe", "symbols": "BTC/USD", "id": message_id}))

    assert error.message_id == message_id


def test_id_of_a_message_with_unknown_type_is_readable_on_the_error() -> None:
    assert _reject('{"type": "hello", "id": 3}').message_id == 3


def test_id_of_a_message_without_type_is_readable_on_the_error() -> None:
    assert _reject('{"id": "x"}').message_id == "x"


@pytest.mark.parametrize("id_json", ["true", "1.5", "null", "{}", "[1]"])
def test_error_has_no_id_when_the_id_itself_is_not_an_id(id_json: str) -> None:
    assert _reject(f'{{"type": "ping", "id": {id_json}}}').message_id is None


def test_error_has_no_id_when_the_json_is_invalid() -> None:
    assert _reject('{"type": "ping", "id": 5').message_id is None


def test_error_has_no_id_when_the_message_is_not_an_object() -> None:
    assert _reject('[{"id": 5}]').message_id is None


# --- encoding server messages ------------------------------------------------


@pytest.mark.parametrize(
    "message",
    [
        Subscribed(symbols=["BTC/USD"], timestamp=DOC_TIME, id=1),
        Unsubscribed(symbols=["BTC/USD"], timestamp=DOC_TIME, id=1),
        PriceUpdate(
            symbol="BTC/USD",
            price=1.0,
            volume=None,
            timestamp=DOC_TIME,
            source="kraken",
            seq=1,
            snapshot=True,
        ),
        Pong(timestamp=DOC_TIME, id=1),
        Error(
            message="m",
            code=ErrorCode.UNKNOWN_SYMBOL,
            timestamp=DOC_TIME,
            symbols=["X/Y"],
            id=1,
            retry_after_ms=5,
        ),
    ],
    ids=lambda message: type(message).__name__,
)
def test_type_is_the_first_field_of_every_server_message(message: ServerMessage) -> None:
    assert next(iter(json.loads(encode(message)))) == "type"


def test_subscribed_omits_id_when_unset() -> None:
    assert "id" not in json.loads(encode(Subscribed(symbols=["BTC/USD"], timestamp=DOC_TIME)))


def test_unsubscribed_omits_id_when_unset() -> None:
    assert "id" not in json.loads(encode(Unsubscribed(symbols=[], timestamp=DOC_TIME)))


def test_pong_omits_id_when_unset() -> None:
    assert "id" not in json.loads(encode(Pong(timestamp=DOC_TIME)))


def test_price_update_omits_snapshot_when_unset() -> None:
    update = PriceUpdate(
        symbol="BTC/USD", price=1.0, volume=2.0, timestamp=DOC_TIME, source="kraken", seq=3
    )

    assert "snapshot" not in json.loads(encode(update))


def test_error_omits_every_unset_optional_field() -> None:
    error = Error(message="Invalid message format", code=ErrorCode.VALIDATION_ERROR, timestamp="t")

    assert list(json.loads(encode(error))) == ["type", "message", "code", "timestamp"]


def test_price_update_keeps_a_null_volume() -> None:
    update = PriceUpdate(
        symbol="BTC/USD", price=1.0, volume=None, timestamp=DOC_TIME, source="kraken", seq=3
    )

    assert json.loads(encode(update))["volume"] is None


def test_encoding_is_compact() -> None:
    assert b" " not in encode(Pong(timestamp=DOC_TIME))


def test_subscribed_matches_the_document_example() -> None:
    document = """
    {
      "type": "subscribed",
      "symbols": ["BTC/USD", "ETH/USD"],
      "timestamp": "2025-10-10T14:30:00.000Z"
    }
    """
    message = Subscribed(symbols=["BTC/USD", "ETH/USD"], timestamp=DOC_TIME)

    assert encode(message) == _compact(document)


def test_unsubscribed_matches_the_document_example() -> None:
    document = """
    {
      "type": "unsubscribed",
      "symbols": ["BTC/USD"],
      "timestamp": "2025-10-10T14:30:05.000Z"
    }
    """
    message = Unsubscribed(symbols=["BTC/USD"], timestamp="2025-10-10T14:30:05.000Z")

    assert encode(message) == _compact(document)


def test_price_update_matches_the_document_example_followed_by_seq() -> None:
    document = """
    {
      "type": "price_update",
      "symbol": "BTC/USD",
      "price": 45123.5,
      "volume": 1234567.89,
      "timestamp": "2025-10-10T14:30:00.000Z",
      "source": "coinbase"
    }
    """
    update = PriceUpdate(
        symbol="BTC/USD",
        price=45123.5,
        volume=1234567.89,
        timestamp=DOC_TIME,
        source="coinbase",
        seq=42,
    )

    assert encode(update) == _compact(document)[:-1] + b',"seq":42}'


def test_pong_matches_the_document_example() -> None:
    document = """
    {
      "type": "pong",
      "timestamp": "2025-10-10T14:30:00.000Z"
    }
    """

    assert encode(Pong(timestamp=DOC_TIME)) == _compact(document)


def test_error_matches_the_document_example() -> None:
    document = """
    {
      "type": "error",
      "message": "Invalid message format",
      "code": "VALIDATION_ERROR",
      "timestamp": "2025-10-10T14:30:00.000Z"
    }
    """
    error = Error(
        message="Invalid message format", code=ErrorCode.VALIDATION_ERROR, timestamp=DOC_TIME
    )

    assert encode(error) == _compact(document)


# --- decoding server messages ------------------------------------------------

SERVER_MESSAGES: list[ServerMessage] = [
    Subscribed(symbols=["BTC/USD", "ETH/USD"], timestamp=DOC_TIME),
    Subscribed(symbols=["BTC/USD"], timestamp=DOC_TIME, id="a"),
    Unsubscribed(symbols=[], timestamp=DOC_TIME),
    Unsubscribed(symbols=["BTC/USD"], timestamp=DOC_TIME, id=9),
    PriceUpdate(
        symbol="BTC/USD",
        price=45123.5,
        volume=1234567.89,
        timestamp=DOC_TIME,
        source="coinbase",
        seq=1,
    ),
    PriceUpdate(
        symbol="ETH/BTC",
        price=0.0358,
        volume=None,
        timestamp=DOC_TIME,
        source="kraken",
        seq=2,
        snapshot=True,
    ),
    Pong(timestamp=DOC_TIME),
    Pong(timestamp=DOC_TIME, id=0),
    Error(message="Invalid message format", code=ErrorCode.VALIDATION_ERROR, timestamp=DOC_TIME),
    Error(
        message="Too many requests",
        code=ErrorCode.RATE_LIMITED,
        timestamp=DOC_TIME,
        symbols=["NOPE/USD"],
        id="r1",
        retry_after_ms=500,
    ),
]


@pytest.mark.parametrize("message", SERVER_MESSAGES, ids=lambda message: type(message).__name__)
def test_server_messages_round_trip(message: ServerMessage) -> None:
    assert decode_server_message(encode(message)) == message


@pytest.mark.parametrize("code", list(ErrorCode))
def test_every_error_code_round_trips(code: ErrorCode) -> None:
    error = Error(message="m", code=code, timestamp=DOC_TIME)

    assert decode_server_message(encode(error)) == error


@pytest.mark.parametrize("data", ["{", '{"type": "subscribe", "symbols": []}', '{"type": "x"}'])
def test_decode_server_message_rejects_what_is_not_a_server_message(data: str) -> None:
    with pytest.raises(MessageError):
        decode_server_message(data)
