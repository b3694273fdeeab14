"""The `/stream` wire format: typed messages, decoding, encoding. Pure, no I/O.

Client messages are decoded and validated in one pass by msgspec; server
messages are encoded once to bytes so the same bytes can go to every
subscriber. Field order follows the protocol document (`type` first).
"""

from __future__ import annotations

import enum
from typing import Annotated, Final

import msgspec
from msgspec import UNSET, Meta, Struct, UnsetType

from chrono_sim.errors import MessageError

MessageId = int | str
NonEmptyStr = Annotated[str, Meta(min_length=1)]
SymbolList = Annotated[list[NonEmptyStr], Meta(min_length=1)]
NameList = Annotated[list[str], Meta(min_length=1)]


class ErrorCode(enum.StrEnum):
    """Every `code` an `error` message can carry."""

    VALIDATION_ERROR = "VALIDATION_ERROR"
    UNAUTHORIZED = "UNAUTHORIZED"
    SUBSCRIPTION_LIMIT = "SUBSCRIPTION_LIMIT"
    UNKNOWN_SYMBOL = "UNKNOWN_SYMBOL"
    CONNECTION_LIMIT = "CONNECTION_LIMIT"
    RATE_LIMITED = "RATE_LIMITED"


class CloseCode(enum.IntEnum):
    """WebSocket close codes the server uses, and what each tells a client."""

    NORMAL = 1000
    GOING_AWAY = 1001  # server shutting down: reconnect with backoff
    TOO_SLOW = 1008  # read nothing for the stall timeout: read faster, or subscribe to less
    PING_FLOOD = 1008  # sent more WebSocket pings than allowed: ping less often
    MESSAGE_TOO_BIG = 1009  # fix the client
    INTERNAL_ERROR = 1011  # reconnect with backoff
    UNAUTHORIZED = 4401  # do not reconnect
    IDLE_TIMEOUT = 4408  # reconnect if still wanted
    LIMITED = 4429  # reconnect after retry_after_ms / backoff


# --- client -> server ---------------------------------------------------------


class _ClientMessage(Struct, tag_field="type", kw_only=True, frozen=True):
    id: MessageId | UnsetType = UNSET


class Subscribe(_ClientMessage, tag="subscribe", frozen=True):
    symbols: SymbolList
    snapshot: bool = False


class Unsubscribe(_ClientMessage, tag="unsubscribe", frozen=True):
    symbols: NameList | UnsetType = UNSET  # absent: every symbol held


class Ping(_ClientMessage, tag="ping", frozen=True):
    pass


ClientMessage = Subscribe | Unsubscribe | Ping


# --- server -> client ---------------------------------------------------------


class _ServerMessage(Struct, tag_field="type", kw_only=True, frozen=True):
    pass


class Subscribed(_ServerMessage, tag="subscribed", frozen=True):
    symbols: list[str]
    timestamp: str
    id: MessageId | UnsetType = UNSET


class Unsubscribed(_ServerMessage, tag="unsubscribed", frozen=True):
    symbols: list[str]
    timestamp: str
    id: MessageId | UnsetType = UNSET


class PriceUpdate(_ServerMessage, tag="price_update", frozen=True):
    symbol: str
    price: float
    volume: float | None
    timestamp: str
    source: str
    seq: int | UnsetType = UNSET  # always sent by this server; other servers may omit it
    snapshot: bool | UnsetType = UNSET


class Pong(_ServerMessage, tag="pong", frozen=True):
    timestamp: str
    id: MessageId | UnsetType = UNSET


class Error(_ServerMessage, tag="error", frozen=True):
    message: str
    code: ErrorCode
    timestamp: str
    symbols: list[str] | UnsetType = UNSET
    id: MessageId | UnsetType = UNSET
    retry_after_ms: int | UnsetType = UNSET


ServerMessage = Subscribed | Unsubscribed | PriceUpdate | Pong | Error


class _Probe(Struct):
    """Reads `id` and `type` of an invalid message: to echo the id and to say what is wrong."""

    id: object = None
    type: object = UNSET


_CLIENT_TYPES: Final = frozenset({"subscribe", "unsubscribe", "ping"})


_client_decoder: Final[msgspec.json.Decoder[ClientMessage]] = msgspec.json.Decoder(ClientMessage)
_server_decoder: Final[msgspec.json.Decoder[ServerMessage]] = msgspec.json.Decoder(ServerMessage)
_probe_decoder: Final = msgspec.json.Decoder(_Probe)
_encoder: Final = msgspec.json.Encoder()


def decode_client_message(data: str | bytes) -> ClientMessage:
    """Parse and validate one client text frame.

    Raises `MessageError` with a human-readable detail (and the client's `id`
    when it could be read) for anything that is not a valid client message.
    """
    try:
        return _client_decoder.decode(data)
    except msgspec.DecodeError as exc:
        probe = _probe(data)
        raise MessageError(_describe(exc, probe), _message_id(probe)) from None
    except UnicodeEncodeError:  # a str holding lone surrogates: not valid UTF-8 text
        raise MessageError("text is not valid UTF-8") from None
    except RecursionError:  # msgspec's guard against deeply nested JSON
        raise MessageError("JSON is nested too deeply") from None


def decode_server_message(data: str | bytes) -> ServerMessage:
    """Parse one server message (for clients and tests); raises `MessageError`."""
    try:
        return _server_decoder.decode(data)
    except msgspec.DecodeError as exc:
        raise MessageError(str(exc)) from None


def encode(message: ServerMessage | ClientMessage) -> bytes:
    """Serialize a message to the compact JSON bytes sent on the wire."""
    return _encoder.encode(message)


def _describe(exc: msgspec.DecodeError, probe: _Probe | None) -> str:
    """What is wrong with a client message, in the protocol's terms where we can tell.

    Decided by reading the message's `type` ourselves, never from the wording of
    msgspec's errors; other complaints pass msgspec's own words on.
    """
    if probe is not None and probe.type is UNSET:
        return "missing field `type`"
    if probe is not None and not isinstance(probe.type, str):
        return "field `type` must be a string"
    if probe is not None and probe.type not in _CLIENT_TYPES:
        return "unknown message type; expected subscribe, unsubscribe or ping"
    return str(exc)


def _probe(data: str | bytes) -> _Probe | None:
    try:
        return _probe_decoder.decode(data)
    except (msgspec.DecodeError, UnicodeEncodeError, RecursionError):
        return None


def _message_id(probe: _Probe | None) -> MessageId | None:
    if probe is None:
        return None
    # bool is an int subclass in Python but not an id in the protocol.
    if isinstance(probe.id, str) or (isinstance(probe.id, int) and not isinstance(probe.id, bool)):
        return probe.id
    return None
