"""Option types the commands share."""

from __future__ import annotations

import typer

from chrono_sim.durations import parse_duration
from chrono_sim.errors import ConfigError

DURATION_METAVAR = "DURATION"


def duration(text: str | float) -> float:
    """Typer `parser=` for durations: seconds or a unit suffix (90, 90s, 10m, 24h)."""
    if isinstance(text, int | float):  # a default value, already in seconds
        return float(text)
    try:
        return parse_duration(text)
    except ConfigError as exc:
        raise typer.BadParameter(str(exc)) from None
