"""The command-line rows every feed-reading command shares, read without Typer."""

from __future__ import annotations

import pytest

from chrono_cli.params import DURATION, positive_duration
from chrono_sim.errors import ConfigError


@pytest.mark.parametrize("text", ["0", "0s", "0ms"])
def test_a_duration_to_stop_after_must_be_more_than_zero(text: str) -> None:
    assert DURATION.parser is positive_duration
    with pytest.raises(ConfigError, match="must be more than 0"):
        positive_duration(text)


def test_a_positive_duration_reads_units() -> None:
    assert positive_duration("250ms") == 0.25
