"""What `chrono check` accepts as a timestamp and as a price_update, judged without sockets."""

from __future__ import annotations

from typing import Any

import pytest

from chrono_sim.conformance.shapes import price_update_problems, timestamp_problem
from chrono_sim.conformance.transcript import TimestampLog


def update(**changes: Any) -> dict[str, Any]:
    message: dict[str, Any] = {
        "type": "price_update",
        "symbol": "BTC/USD",
        "price": 45123.5,
        "volume": 1234567.89,
        "timestamp": "2025-10-10T14:30:00.000Z",
        "source": "coinbase",
        "seq": 7,
    }
    message.update(changes)
    return {key: value for key, value in message.items() if value is not ...}


def test_the_documented_timestamp_is_accepted() -> None:
    assert timestamp_problem("2025-10-10T14:30:00.000Z") is None


@pytest.mark.parametrize(
    "value",
    [
        "2025-10-10T14:30:00Z",  # no milliseconds
        "2025-10-10T14:30:00.000",  # no Z
        "2025-10-10T14:30:00.000+00:00",
        "2025-10-10 14:30:00.000Z",
        "2025-02-30T14:30:00.000Z",  # no such day
        "58873-05-01T00:20:44.656Z",  # milliseconds read as seconds
        1760106600000,
    ],
)
def test_other_timestamps_are_refused(value: object) -> None:
    assert timestamp_problem(value) is not None


def test_a_price_update_with_exactly_the_documented_fields_and_seq_is_fine() -> None:
    assert price_update_problems(update()) == []


def test_volume_may_be_null_and_a_snapshot_is_marked_true() -> None:
    assert price_update_problems(update(volume=None, snapshot=True)) == []


def test_missing_and_extra_fields_are_named() -> None:
    assert price_update_problems(update(seq=..., exchange="x")) == [
        "no `seq`",
        "extra field `exchange`",
    ]


def test_fields_of_the_wrong_type_are_named() -> None:
    problems = price_update_problems(update(price="45123.5", seq=True, snapshot=False))

    assert problems == ["snapshot is False, not true", "`price` is '45123.5'", "`seq` is True"]


def test_timestamp_log_passes_when_every_timestamp_is_good() -> None:
    log = TimestampLog()
    log.record(update())
    log.record({"type": "pong", "timestamp": "2025-10-10T14:30:00.000Z"})

    assert log.verdict() == (True, "2 checked (pong 1, price_update 1)")


def test_timestamp_log_names_each_bad_type_with_its_first_example() -> None:
    log = TimestampLog()
    log.record({"type": "pong", "timestamp": "2025-10-10T14:30:00.000Z"})
    log.record({"type": "pong", "timestamp": "2025-10-10T14:30:00Z"})
    log.record({"type": "subscribed", "symbols": []})
    log.record({"type": "welcome"})  # an extension message: not the rule's business

    good, detail = log.verdict()

    assert not good
    assert detail == (
        "bad timestamps on pong: 1 of 2, e.g. '2025-10-10T14:30:00Z' is not "
        "YYYY-MM-DDTHH:MM:SS.mmmZ, subscribed: 1 of 1, e.g. no `timestamp` field"
    )
