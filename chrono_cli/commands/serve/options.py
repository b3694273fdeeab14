"""`chrono serve`'s option values: Typer `parser=` functions and which options go together."""

from __future__ import annotations

import math

import typer

from chrono_cli.exit_codes import ExitCode, fail

# Options that mean something only with --replay, and only without it: parameter -> flag.
REPLAY_ONLY = {
    "speed": "--speed",
    "loop": "--loop",
    "start": "--from",
    "stop": "--to",
    "keep_timestamps": "--keep-timestamps",
    "skip_bad_lines": "--skip-bad-lines",
}
SYNTHETIC_ONLY = {"interval": "--interval", "seed": "--seed", "universe": "--universe"}
MAX_SPEED = math.inf  # what `--speed max` parses to


def replay_speed(text: str | float) -> float:
    """Typer `parser=` for `--speed`: a positive number, or `max` (`math.inf`)."""
    if isinstance(text, int | float):  # the default, already a number
        return float(text)
    if text.strip().lower() == "max":
        return MAX_SPEED
    try:
        speed = float(text)
    except ValueError:
        speed = math.nan
    if not (math.isfinite(speed) and speed > 0):
        raise typer.BadParameter(
            f"{text!r}: use a positive number (60 plays an hour a minute) or max"
        )
    return speed


def window_bound(text: str) -> str:
    """Typer `parser=` for `--from`/`--to`: checks the spelling now, resolves it once read."""
    from chrono_sim.errors import ConfigError
    from chrono_sim.sources import parse_bound

    try:
        parse_bound(text, first_ms=0)
    except ConfigError as exc:
        raise typer.BadParameter(str(exc)) from None
    return text


def fault_spec(text: str) -> str:
    """Typer `parser=` for `--fault`: checks the SPEC now; the body parses it again."""
    from chrono_sim.errors import ConfigError
    from chrono_sim.faults import parse_faults

    try:
        parse_faults(text)
    except ConfigError as exc:
        raise typer.BadParameter(str(exc)) from None
    return text


def log_format_choice(text: str) -> str:
    """Typer `parser=` for `--log-format`: `text` or `json`, any case."""
    if text.strip().lower() not in ("text", "json"):
        raise typer.BadParameter(f"{text!r}: use text or json")
    return text.strip().lower()


def refuse_given(ctx: typer.Context, options: dict[str, str], why: str) -> None:
    """A usage error (exit 2) naming the first of `options` given on the command line."""
    for name, flag in options.items():
        origin = ctx.get_parameter_source(name)
        if origin is not None and origin.name not in ("DEFAULT", "DEFAULT_MAP"):
            fail("serve", ExitCode.USAGE, f"{flag} {why}")
