"""Durations as people type them: `90`, `90s`, `1.5m`, `10m`, `24h`, `2d`, `250ms`."""

from __future__ import annotations

import math
import re

from chrono_sim.errors import ConfigError

UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_DURATION = re.compile(r"\s*(\d+(?:\.\d*)?|\.\d+)\s*(ms|s|m|h|d)?\s*", re.IGNORECASE)


def parse_duration(text: str) -> float:
    """Seconds in `text`: a non-negative number, optionally followed by ms, s, m, h or d."""
    match = _DURATION.fullmatch(text)
    if match is None:
        raise ConfigError(
            f"{text!r} is not a duration: use seconds or a unit, e.g. 90, 90s, 10m, 24h"
        )
    number, unit = match.groups()
    seconds = float(number) * UNIT_SECONDS[(unit or "s").lower()]
    if not math.isfinite(seconds):
        raise ConfigError(f"{text!r} is too long a duration")
    return seconds


def format_duration(seconds: float) -> str:
    """`seconds` as people read it: 90 -> '1m30s', 86400 -> '24h', 86399 -> '23h59m59s'.

    Whole seconds from a minute up (hours are the largest unit: '48h', not '2d'); below a
    minute, up to three significant digits ('4.5s', '0.25s').
    """
    if seconds < 60:
        return f"{seconds:.3g}s"
    rest = round(seconds)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [(hours, "h"), (minutes, "m"), (secs, "s")]
    return "".join(f"{value}{unit}" for value, unit in parts if value) or "0s"
