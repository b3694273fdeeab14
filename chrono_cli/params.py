"""Arguments and options as data, and the fast parser read from them, without Typer.

A command whose launch time matters (`chrono tail`) declares its command line
once, as a table of `Arguments` and `Option`s. Two parsers are derived from
that table: the Typer command (`chrono_cli.options.typer_signature`, with
Typer's help and messages) and `parse_plain` here, which imports neither Typer
nor pydantic. `parse_plain` reads only plain command lines, those that Typer
reads to the same values, and answers None for anything else (help, an error,
an unusual form), which then goes to Typer.

Also here: the options the feed-reading commands share, and their defaults.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from chrono_cli.messages import not_above_zero
from chrono_sim.durations import parse_duration
from chrono_sim.errors import ConfigError

DEFAULT_URL = "ws://localhost:3000/stream"
DEV_KEY = (
    "chrono_public_dev_key_001"  # chrono_sim.protocol.keys.DEV_KEY, not imported for start-up speed
)
API_KEY_ENV = "CHRONO_API_KEY"
DURATION_METAVAR = "DURATION"
# (The rows are named tuples, not dataclasses: a few times quicker to define at start-up.)


class Arguments(NamedTuple):
    """The positional arguments: one or more values, gathered as a list in `field`."""

    field: str
    help: str
    metavar: str | None = None  # `--help` shows `SYMBOL...`; without one, the field in capitals


class Option(NamedTuple):
    """One option: the Python parameter (`field`) it sets, and how it reads its value.

    `flags`: its spelling, e.g. `("--json",)`; none means Typer's own, from the
    field: `--late-after`, or `--snapshot/--no-snapshot` for a bool. `parser`:
    text to value, raising `ConfigError` (a usage error) for a bad one; without
    it, `type` says how (str, int, Path, or a bool flag).
    """

    field: str
    type: Any  # the annotation, e.g. `int | None`
    default: Any
    help: str
    flags: tuple[str, ...] = ()
    metavar: str | None = None
    envvar: str | None = None
    min: int | None = None
    parser: Callable[[str], Any] | None = None

    @property
    def names(self) -> dict[str, object]:
        """Each spelling on the command line, and the value it sets (`...`: the next one)."""
        if self.flags:
            return dict.fromkeys(self.flags, True if self.type is bool else ...)
        name = "--" + self.field.replace("_", "-")
        if self.type is bool:
            return {name: True, "--no-" + name[2:]: False}
        return {name: ...}


Param = Arguments | Option


def positive_duration(text: str | float) -> float:
    """A duration above zero (a timeout, a threshold); a number passes as seconds."""
    seconds = float(text) if isinstance(text, int | float) else parse_duration(text)
    if not seconds > 0:
        raise ConfigError(not_above_zero(text))
    return seconds


# Options of the commands that read a feed (tail, record, demo, check, symbols).
URL = Option("url", str, DEFAULT_URL, "Server WebSocket URL.", metavar="URL")
API_KEY = Option(
    "api_key", str, DEV_KEY, f"API key (env {API_KEY_ENV}).", metavar="KEY", envvar=API_KEY_ENV
)  # fmt: skip
COUNT = Option(
    "count", int | None, None, "Stop after N price updates.", ("--count",), metavar="N", min=1
)  # fmt: skip
DURATION = Option(
    "duration", float | None, None, "Stop after this long.", ("--duration",),
    metavar=DURATION_METAVAR, parser=positive_duration,
)  # fmt: skip
# Read by the command itself (chrono_sim.client.tls), not by Typer: a missing or unusable
# file is then the same one-line error, exit 3, with or without Typer.
CAFILE = Option(
    "cafile", Path | None, None, "Trust this CA certificate (PEM) for a wss:// URL.",
    metavar="FILE",
)  # fmt: skip


_INTEGER = re.compile(r"0|[1-9][0-9]{0,17}")  # read alike by any integer parser: no sign or _


class _ForTyperError(Exception):
    """A command line, or a value, that Typer is to read (and answer)."""


def parse_plain(
    params: Sequence[Param], args: Sequence[str], environ: Mapping[str, str]
) -> dict[str, Any] | None:
    """The values `args` give the fields of `params`, if it is a plain, valid command line.

    Plain: positional arguments and options (`--opt VALUE` or `--opt=VALUE`) in
    any order, each option once, no value that starts with `-`, every value
    valid. An option not given takes its $ENVVAR if that is set and not empty,
    as Typer does, else its default. Anything else is None: Typer's to read.
    """
    options = {name: (opt, value) for opt in _options(params) for name, value in opt.names.items()}
    positional: list[str] = []
    given: dict[str, Any] = {}
    rest = iter(args)
    try:
        for arg in rest:
            if not arg.startswith("-"):
                positional.append(arg)
                continue
            name, equals, text = arg.partition("=")
            option, value = options.get(name, (None, None))
            if option is None or option.field in given:  # --help, --, unknown, or again
                raise _ForTyperError
            if value is not ...:  # a flag
                if equals:
                    raise _ForTyperError
                given[option.field] = value
                continue
            text = text if equals else next(rest, "-")  # none at all: as for a dash
            if text.startswith("-"):
                raise _ForTyperError
            given[option.field] = _read(option, text)
        for option in _options(params):
            if option.field not in given:
                given[option.field] = _unset(option, environ)
    except _ForTyperError:
        return None
    for param in params:
        if isinstance(param, Arguments):
            if not positional:
                return None
            given[param.field] = positional
            positional = []
    return None if positional else given


def _options(params: Sequence[Param]) -> list[Option]:
    return [param for param in params if isinstance(param, Option)]


def _unset(option: Option, environ: Mapping[str, str]) -> Any:
    text = environ.get(option.envvar) if option.envvar else None
    return _read(option, text) if text else option.default


def _read(option: Option, text: str) -> Any:
    """`text` as `option`'s value, if it is a plain one."""
    if option.parser is not None:
        try:
            return option.parser(text)
        except ConfigError:
            raise _ForTyperError from None
    kind = set(getattr(option.type, "__args__", (option.type,))) - {type(None)}
    if kind == {str}:
        return text
    if kind == {Path}:
        return Path(text)
    if kind == {int} and _INTEGER.fullmatch(text):
        number = int(text)
        if option.min is None or number >= option.min:
            return number
    raise _ForTyperError  # a type or a value this parser leaves to Typer
