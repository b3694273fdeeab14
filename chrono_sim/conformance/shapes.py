"""Pure judgements on server messages: timestamp format, price_update fields, short quotes."""

from __future__ import annotations

import datetime
import json
import re
from typing import Any

Message = dict[str, Any]

TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z")
PRICE_UPDATE_FIELDS = ("type", "symbol", "price", "volume", "timestamp", "source", "seq")
# Server messages that must carry a timestamp, by type.
TIMESTAMPED = frozenset({"subscribed", "unsubscribed", "price_update", "pong", "error"})
QUOTE_LIMIT = 160


def timestamp_problem(value: object) -> str | None:
    """Why `value` is not a protocol timestamp (`2025-10-10T14:30:00.000Z`), or None."""
    if not isinstance(value, str):
        return f"{value!r} is not a string"
    if not TIMESTAMP.fullmatch(value):
        return f"{value!r} is not YYYY-MM-DDTHH:MM:SS.mmmZ"
    try:
        datetime.datetime.strptime(value[:-1], "%Y-%m-%dT%H:%M:%S.%f")
    except ValueError:
        return f"{value!r} is not a real date and time"
    return None


def is_number(value: object) -> bool:
    # bool is an int in Python, never a number on the wire.
    return isinstance(value, int | float) and not isinstance(value, bool)


def price_update_problems(message: Message) -> list[str]:
    """What is wrong with a price_update's fields: missing, extra, or of the wrong type.

    `snapshot: true` is the only field allowed beyond the document's and `seq`.
    """
    problems = [f"no `{name}`" for name in PRICE_UPDATE_FIELDS if name not in message]
    extra = sorted(set(message) - set(PRICE_UPDATE_FIELDS) - {"snapshot"})
    problems += [f"extra field `{name}`" for name in extra]
    if "snapshot" in message and message["snapshot"] is not True:
        problems.append(f"snapshot is {message['snapshot']!r}, not true")
    types = {
        "symbol": isinstance(message.get("symbol"), str),
        "price": is_number(message.get("price")),
        "volume": message.get("volume") is None or is_number(message.get("volume")),
        "timestamp": isinstance(message.get("timestamp"), str),
        "source": isinstance(message.get("source"), str),
        "seq": isinstance(message.get("seq"), int) and not isinstance(message.get("seq"), bool),
    }
    problems += [
        f"`{name}` is {message[name]!r}" for name, ok in types.items() if not ok and name in message
    ]
    return problems


def quote(message: object) -> str:
    """A message as compact JSON, cut to a length that fits a table cell."""
    text = json.dumps(message, separators=(",", ":"), default=repr)
    return text if len(text) <= QUOTE_LIMIT else text[: QUOTE_LIMIT - 1] + "…"


def describe_reply(message: Message) -> str:
    """A reply as a reader wants it in a detail: `error CODE` or its type and symbols."""
    kind = message.get("type")
    if kind == "error":
        return f"error {message.get('code')}"
    if kind in ("subscribed", "unsubscribed"):
        return f"{kind} {message.get('symbols')}"
    return quote(message)


def describe_close(code: int | None, reason: str | None) -> str:
    if code is None or code == 1006:
        return "dropped without a close frame"
    return f"close {code}" + (f" {reason!r}" if reason else "")
