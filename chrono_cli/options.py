"""Option types the commands share."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from chrono_cli import defaults
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


def duration_option(*names: str, description: str) -> Any:
    """A Typer option read as a duration, in seconds (`--help` shows it as DURATION)."""
    return typer.Option(*names, parser=duration, metavar=DURATION_METAVAR, help=description)


MIN_INTERVAL = 0.001  # a millisecond: the wire's resolution, and a bound on the model's memory


def check_interval(seconds: float) -> None:
    """A usage error unless `--interval` is at least a millisecond."""
    if not seconds >= MIN_INTERVAL:
        raise typer.BadParameter("must be at least 1ms", param_hint="--interval")


# Made-up symbols: four-letter tickers run out past ~450,000, and far fewer already make
# an hour of market larger than memory.
MAX_UNIVERSE = 100_000


# Options of the commands that read a feed (tail, record, demo); the defaults live where
# `chrono tail` reads them without importing Typer.
DEFAULT_URL = defaults.DEFAULT_URL
DEV_KEY = defaults.DEV_KEY
Url = Annotated[str, typer.Option(help="Server WebSocket URL.")]
ApiKey = Annotated[
    str,
    typer.Option(envvar=defaults.API_KEY_ENV, help=f"API key (env {defaults.API_KEY_ENV})."),
]
StopAfterCount = Annotated[
    int | None, typer.Option("--count", min=1, help="Stop after N price updates.")
]
StopAfterDuration = Annotated[
    float | None,
    duration_option("--duration", description="Stop after this long."),
]
# Read by the command itself (chrono_sim.client.tls), not by Typer: a missing or unusable
# file is then the same one-line error, exit 3, with or without Typer (see tail_run).
CaFile = Annotated[
    Path | None,
    typer.Option(metavar="FILE", help="Trust this CA certificate (PEM) for a wss:// URL."),
]
