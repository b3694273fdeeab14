"""Wire timestamps to and from epoch milliseconds: exact, vectorised, strict."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from chrono_sim.datafiles.timecodec import (
    MAX_MS,
    MIN_MS,
    day_pieces,
    hms_table,
    parse_timestamps,
    split_times,
)
from chrono_sim.protocol.timestamps import format_timestamp


def formatted(time_ms: list[int]) -> list[str]:
    """The writers' way: day, second and millisecond pieces from tables."""
    days, second, millisecond = split_times(np.array(time_ms, dtype=np.int64))
    dates, index = day_pieces(days, "", "T")
    return [
        f"{date}{hms}{ms:03d}Z"
        for date, hms, ms in zip(
            dates[index].tolist(), hms_table()[second].tolist(), millisecond.tolist(), strict=True
        )
    ]


def exact(time_ms: int) -> str:
    """The reference: integer arithmetic through `datetime` (years 1 to 9999)."""
    moment = datetime(1970, 1, 1) + timedelta(milliseconds=time_ms)
    return moment.isoformat(timespec="milliseconds") + "Z"


@given(st.lists(st.integers(-62_135_596_800_000, MAX_MS), min_size=1, max_size=50))
def test_formatting_is_exact_to_the_millisecond(time_ms: list[int]) -> None:
    assert formatted(time_ms) == [exact(ms) for ms in time_ms]


@given(st.lists(st.integers(1_600_000_000_000, 1_999_999_999_999), min_size=1, max_size=50))
def test_formatting_matches_format_timestamp_in_this_era(time_ms: list[int]) -> None:
    assert formatted(time_ms) == [format_timestamp(ms / 1000) for ms in time_ms]


def test_formatting_keeps_milliseconds_that_float_seconds_lose() -> None:
    # 1001 / 1000 * 1000 is 1000.9999999999999: format_timestamp(1.001) says .000
    assert formatted([1001]) == ["1970-01-01T00:00:01.001Z"]


@given(st.lists(st.integers(MIN_MS, MAX_MS), min_size=1, max_size=50))
def test_parsing_inverts_formatting(time_ms: list[int]) -> None:
    parsed, bad = parse_timestamps(formatted(time_ms))
    assert bad is None
    assert parsed.tolist() == time_ms


def test_the_extremes_of_four_digit_years_are_exact() -> None:
    texts = ["0000-01-01T00:00:00.000Z", "1970-01-01T00:00:00.000Z", "9999-12-31T23:59:59.999Z"]
    parsed, bad = parse_timestamps(texts)
    assert (parsed.tolist(), bad) == ([MIN_MS, 0, MAX_MS], None)


@pytest.mark.parametrize(
    "text", ["2024-02-29T12:00:00.000Z", "2000-02-29T12:00:00.000Z", "2025-12-31T23:59:59.999Z"]
)
def test_real_dates_are_accepted(text: str) -> None:
    assert parse_timestamps([text])[1] is None


@pytest.mark.parametrize(
    "text",
    [
        "2025-02-29T12:00:00.000Z",  # not a leap year
        "1900-02-29T12:00:00.000Z",  # centuries are not, unless divisible by 400
        "2025-04-31T12:00:00.000Z",
        "2025-00-10T12:00:00.000Z",
        "2025-13-10T12:00:00.000Z",
        "2025-10-00T12:00:00.000Z",
        "2025-10-10T24:00:00.000Z",
        "2025-10-10T12:60:00.000Z",
        "2025-10-10T12:00:60.000Z",  # no leap seconds
        "2025-10-10T12:00:00Z",
        "2025-10-10T12:00:00.0000Z",
        "2025-10-10T12:00:00.000",
        "2025-10-10T12:00:00.000+00:00",
        "2025-10-10 12:00:00.000Z",
        "2025-10-10t12:00:00.000z",
        "2025-10-10T12:00:00.000Z ",
        " 2025-10-10T12:00:00.000Z",
        "\uff12025-10-10T12:00:00.000Z",  # a full-width digit two
        "+2025-10-10T12:00:00.000Z",
        "",
    ],
)
def test_anything_but_the_exact_shape_and_a_real_time_is_refused(text: str) -> None:
    good = "2025-10-10T12:00:00.000Z"
    assert parse_timestamps([good, good, text, good])[1] == 2


def test_the_first_bad_one_is_reported() -> None:
    good = "2025-10-10T12:00:00.000Z"
    assert parse_timestamps([good, "x", good, "y"])[1] == 1


def test_an_empty_list_parses_to_nothing() -> None:
    parsed, bad = parse_timestamps([])
    assert (len(parsed), bad) == (0, None)


def test_a_scattered_chunk_still_formats_every_day() -> None:
    time_ms = [0, 86_400_000 * 20_000, 86_400_000 * 3, 5]
    assert formatted(time_ms) == [exact(ms) for ms in time_ms]
