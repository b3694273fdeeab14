"""`--from` / `--to`: a UTC time or an offset into the file; the window is start-inclusive."""

from __future__ import annotations

import pytest

from chrono_sim.errors import ConfigError
from chrono_sim.sources import cut_window, parse_bound
from tests.support.tapes import T0, evenly

MINUTE_MS = 60_000


@pytest.mark.parametrize(
    ("text", "epoch_ms"),
    [
        ("2025-10-10T14:30:00Z", T0),
        ("2025-10-10T14:30:00.250Z", T0 + 250),
        ("2025-10-10T16:30:00+02:00", T0),
        ("2025-10-10T14:31:00+00:00", T0 + MINUTE_MS),
    ],
)
def test_a_bound_may_be_an_iso_8601_time_with_a_zone(text: str, epoch_ms: int) -> None:
    assert parse_bound(text, first_ms=0) == epoch_ms


@pytest.mark.parametrize(
    ("text", "offset_ms"),
    [("90", 90_000), ("90s", 90_000), ("10m", 10 * MINUTE_MS), ("1h", 60 * MINUTE_MS), ("0", 0)],
)
def test_a_bound_may_be_a_duration_after_the_first_update(text: str, offset_ms: int) -> None:
    assert parse_bound(text, first_ms=T0) == T0 + offset_ms


def test_a_time_without_a_zone_is_refused_rather_than_guessed() -> None:
    with pytest.raises(ConfigError, match="time zone"):
        parse_bound("2025-10-10T14:30:00", first_ms=T0)


@pytest.mark.parametrize("text", ["yesterday", "-5m", "2025-13-40T00:00:00Z", ""])
def test_a_bound_that_is_neither_is_refused_with_examples(text: str) -> None:
    with pytest.raises(ConfigError, match=r"2025-10-10T14:30:00Z.*10m"):
        parse_bound(text, first_ms=T0)


def test_without_bounds_the_whole_tape_is_kept() -> None:
    tape = evenly(10, MINUTE_MS)

    assert cut_window(tape) is tape


def test_from_keeps_updates_at_or_after_it() -> None:
    window = cut_window(evenly(10, MINUTE_MS), start="2025-10-10T14:33:00Z")

    assert window.price.tolist() == [4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0]


def test_to_keeps_updates_before_it() -> None:
    """Half-open, so `--from 10m --to 20m` and `--from 20m --to 30m` share no update."""
    window = cut_window(evenly(10, MINUTE_MS), stop="3m")

    assert window.price.tolist() == [1.0, 2.0, 3.0]


def test_from_and_to_cut_a_window_by_offsets() -> None:
    window = cut_window(evenly(10, MINUTE_MS), start="2m", stop="5m")

    assert window.price.tolist() == [3.0, 4.0, 5.0]


def test_a_window_holding_no_update_is_refused_naming_the_files_span() -> None:
    tape = evenly(10, MINUTE_MS)

    with pytest.raises(ConfigError) as caught:
        cut_window(tape, start="2025-10-11T00:00:00Z")

    assert str(caught.value) == (
        "no update from 2025-10-11T00:00:00.000Z to the end: "
        "the file runs from 2025-10-10T14:30:00.000Z to 2025-10-10T14:39:00.000Z"
    )


def test_a_window_ending_before_it_starts_is_empty() -> None:
    with pytest.raises(ConfigError, match="no update from"):
        cut_window(evenly(10, MINUTE_MS), start="5m", stop="2m")


def test_an_absurdly_far_bound_still_gives_a_readable_error() -> None:
    with pytest.raises(ConfigError, match="no update from"):
        cut_window(evenly(10, MINUTE_MS), start="100000000000h")
