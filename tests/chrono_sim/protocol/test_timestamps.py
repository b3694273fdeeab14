"""The protocol's timestamp format: ISO 8601 UTC with milliseconds and `Z`."""

from __future__ import annotations

import math

import pytest

from chrono_sim.protocol.clock import DOCUMENT_EPOCH
from chrono_sim.protocol.timestamps import format_timestamp, parse_timestamp


def test_document_instant_is_formatted_as_in_the_document() -> None:
    assert format_timestamp(1760106600.0) == "2025-10-10T14:30:00.000Z"


def test_document_epoch_constant_is_the_document_instant() -> None:
    assert format_timestamp(DOCUMENT_EPOCH) == "2025-10-10T14:30:00.000Z"


def test_unix_epoch_is_formatted() -> None:
    assert format_timestamp(0.0) == "1970-01-01T00:00:00.000Z"


def test_milliseconds_are_kept() -> None:
    assert format_timestamp(1760106600.5) == "2025-10-10T14:30:00.500Z"


@pytest.mark.parametrize(
    ("fraction", "millis"), [(0.0078125, "007"), (0.0625, "062"), (0.25, "250")]
)
def test_milliseconds_are_zero_padded_to_three_digits(fraction: float, millis: str) -> None:
    assert format_timestamp(1760106600.0 + fraction) == f"2025-10-10T14:30:00.{millis}Z"


def test_milliseconds_are_truncated_not_rounded_up_to_the_next_second() -> None:
    assert format_timestamp(1760106600.9999) == "2025-10-10T14:30:00.999Z"


def test_the_last_float_before_a_second_stays_in_that_second() -> None:
    just_before = math.nextafter(1760106601.0, 0.0)

    assert format_timestamp(just_before) == "2025-10-10T14:30:00.999Z"


def test_integer_seconds_are_accepted() -> None:
    assert format_timestamp(1760106600) == "2025-10-10T14:30:00.000Z"


def test_dates_roll_over_at_midnight_utc() -> None:
    assert format_timestamp(1760140799.999) == "2025-10-10T23:59:59.999Z"
    assert format_timestamp(1760140800.0) == "2025-10-11T00:00:00.000Z"


def test_a_timestamp_parses_to_unix_time() -> None:
    assert parse_timestamp("2025-10-10T14:30:00.000Z") == 1760106600.0
    assert parse_timestamp("1970-01-01T00:00:01.234Z") == 1.234


def test_a_timestamp_with_another_offset_is_the_same_instant() -> None:
    assert parse_timestamp("2025-10-10T16:30:00.000+02:00") == 1760106600.0


def test_a_timestamp_without_a_time_zone_is_refused_not_read_as_local_time() -> None:
    with pytest.raises(ValueError, match="has no time zone"):
        parse_timestamp("2025-10-10T14:30:00.000")


def test_a_formatted_timestamp_parses_back_to_the_millisecond() -> None:
    assert parse_timestamp(format_timestamp(1760106600.123)) == 1760106600.123
