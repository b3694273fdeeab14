"""How `chrono COMMAND --help` reads: names a user understands, defaults as the docs write them.

Typer's own help shows its type names (`<int range>`, `<list[str]>`, `{symbols}...`)
and durations in seconds (`[default: 3600.0]`). Every command is a `ChronoCommand`,
whose help reads instead:

- arguments by their metavar, repeated ones with `...`: `chrono tail [OPTIONS] SYMBOL...`;
- options with a metavar each (their own, else their name: `--seconds SECONDS`);
- defaults as they are typed: durations `4s`, `5m`, `1h`, `100ms`; flags `off`/`on`;
  none for a counted flag (`-v`) or a default of nothing;
- ranges in words: `[default: 0; between 0 and 100000]`, `[at least 1]`.
"""

from __future__ import annotations

import enum
from typing import Any

from typer.core import TyperArgument, TyperCommand

from chrono_cli.messages import range_phrase
from chrono_cli.params import DURATION_METAVAR

# Units of a duration's default, largest first: the first that gives a whole number.
_UNITS = (("h", 3600.0), ("m", 60.0), ("s", 1.0))


def duration_text(seconds: float) -> str:
    """`seconds` as the docs write a duration (and `--help` shows it): 1h, 5m, 30s, 1.5s, 100ms."""
    for unit, size in _UNITS:
        whole = seconds / size
        if whole >= 1 and whole == int(whole):
            return f"{int(whole)}{unit}"
    if seconds >= 1 or seconds == 0:
        return f"{seconds:g}s"
    return f"{seconds * 1000:g}ms"


def argument_name(param: Any) -> str:
    """An argument as `--help` names it: `URL`, `SYMBOL...`."""
    name = str(param.metavar or param.name.upper())
    return name + ("..." if param.nargs != 1 else "")


def option_metavar(param: Any) -> str:
    """What follows an option that takes a value: its metavar, else its name (`--loop LOOP`)."""
    return str(param.metavar or param.name.upper())


def default_text(param: Any) -> str | None:
    """An option's default as `--help` shows it, or None to show none."""
    default = param.default
    if param.show_default is False or default is None or param.count:
        return None
    if param.is_flag:  # `--json`: nothing while off; `--snapshot / --no-snapshot`: off
        return "on" if default else ("off" if param.secondary_opts else None)
    if param.metavar == DURATION_METAVAR and isinstance(default, int | float):
        shown = duration_text(default)
    elif isinstance(default, enum.Enum):
        shown = str(default.value)
    elif isinstance(default, list | tuple):
        shown = " ".join(map(str, default))
    else:
        shown = str(default)
    return shown or None


def help_record(param: Any) -> tuple[str, str] | None:
    """One row of the Arguments or Options section: the names, the help and its [notes]."""
    if param.hidden:
        return None
    notes: list[str] = []
    if isinstance(param, TyperArgument):
        names = argument_name(param)
    else:
        names = _spellings(param.opts)
        if param.secondary_opts:
            names += " / " + _spellings(param.secondary_opts)
        if not param.is_flag and not param.count:
            names += " " + option_metavar(param)
        if param.envvar and getattr(param, "show_envvar", True):
            notes.append(f"env var: {param.envvar}")
        if (default := default_text(param)) is not None:
            notes.append(f"default: {default}")
    low, high = getattr(param, "min", None), getattr(param, "max", None)
    if not getattr(param, "count", False) and (low is not None or high is not None):
        notes.append(range_phrase(low, high))
    if param.required:
        notes.append("required")
    text = param.help or ""
    if notes:
        text = f"{text}  [{'; '.join(notes)}]" if text else f"[{'; '.join(notes)}]"
    return names, text


def _spellings(opts: list[str]) -> str:
    """`-v, --verbose`: short spellings first, as Unix tools list them."""
    return ", ".join(sorted(opts, key=lambda opt: opt.startswith("--")))


class ChronoCommand(TyperCommand):
    """A Typer command whose usage line and help read as the module docstring says."""

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if isinstance(param, TyperArgument):
                name = argument_name(param)
                pieces.append(name if param.required else f"[{name}]")
        return pieces

    def format_options(self, ctx: Any, formatter: Any) -> None:
        arguments: list[tuple[str, str]] = []
        options: list[tuple[str, str]] = []
        for param in self.get_params(ctx):
            record = help_record(param)
            if record is not None:
                (arguments if isinstance(param, TyperArgument) else options).append(record)
        for title, rows in (("Arguments", arguments), ("Options", options)):
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)
