"""Durations everywhere in the CLI: seconds, or a number with a unit."""

from __future__ import annotations

import pytest

from chrono_sim.durations import format_duration, parse_duration
from chrono_sim.errors import ConfigError


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("90", 90.0),
        ("90s", 90.0),
        ("1.5", 1.5),
        ("10m", 600.0),
        ("24h", 86_400.0),
        ("2d", 172_800.0),
        ("250ms", 0.25),
        (".5s", 0.5),
        (" 10M ", 600.0),
        ("0", 0.0),
    ],
)
def test_a_number_with_an_optional_unit_is_a_duration(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "soon", "-5", "10 minutes", "1h30m", "5x", "nan", "1e3"])
def test_anything_else_is_a_config_error_that_shows_the_accepted_forms(text: str) -> None:
    with pytest.raises(ConfigError, match=r"not a duration: use seconds or a unit, e\.g\. 90"):
        parse_duration(text)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0.25, "0.25s"),
        (4.5, "4.5s"),
        (59, "59s"),
        (90, "1m30s"),
        (600, "10m"),
        (86_400, "24h"),
        (86_399, "23h59m59s"),
        (172_800, "48h"),
    ],
)
def test_durations_are_formatted_as_people_write_them(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text


@pytest.mark.parametrize("text", ["45s", "10m", "24h"])
def test_a_duration_of_one_unit_formats_back_to_its_spelling(text: str) -> None:
    assert format_duration(parse_duration(text)) == text
