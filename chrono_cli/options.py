"""The Typer side of options: shared option types, and a command's parameters from a table."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from chrono_cli import params
from chrono_cli.params import DEFAULT_URL, DEV_KEY, DURATION_METAVAR, Arguments, Option
from chrono_sim.durations import parse_duration
from chrono_sim.errors import ConfigError

__all__ = ["DEFAULT_URL", "DEV_KEY", "DURATION_METAVAR"]  # re-exported for the commands

Command = TypeVar("Command", bound=Callable[..., Any])


def typer_parser(parse: Callable[[str], Any]) -> Callable[[Any], Any]:
    """`parse` as a Typer `parser=`: a `ConfigError` is a usage error; a default passes as is."""

    def parser(text: Any) -> Any:
        if not isinstance(text, str):  # a default value, already parsed
            return text
        try:
            return parse(text)
        except ConfigError as exc:
            raise typer.BadParameter(str(exc)) from None

    return parser


def typer_info(param: Arguments | Option) -> Any:
    """The `typer.Argument(...)` or `typer.Option(...)` of one row of a command's table."""
    if isinstance(param, Arguments):
        return typer.Argument(help=param.help, metavar=param.metavar)
    return typer.Option(
        *param.flags,
        help=param.help,
        metavar=param.metavar,
        envvar=param.envvar,
        min=param.min,
        parser=None if param.parser is None else typer_parser(param.parser),
    )


def annotated(param: Arguments | Option) -> Any:
    """The `Annotated[type, typer.Argument/Option(...)]` of one row of a command's table."""
    return Annotated[list[str] if isinstance(param, Arguments) else param.type, typer_info(param)]


def typer_signature(table: Sequence[Arguments | Option]) -> Callable[[Command], Command]:
    """Gives the decorated `command(**values)` the parameters of `table`, as Typer reads them.

    Typer reads a command's parameters from `inspect.signature` (which answers
    `__signature__`) and `typing.get_type_hints` (which reads `__annotations__`).
    """
    kinds = inspect.Parameter.KEYWORD_ONLY
    parameters = [
        inspect.Parameter(
            param.field,
            kinds,
            annotation=annotated(param),
            default=param.default if isinstance(param, Option) else inspect.Parameter.empty,
        )
        for param in table
    ]

    def decorate(command: Command) -> Command:
        vars(command)["__signature__"] = inspect.Signature(parameters, return_annotation=None)
        vars(command)["__annotations__"] = {p.name: p.annotation for p in parameters}
        return command

    return decorate


# Typer `parser=` for durations: seconds or a unit suffix (90, 90s, 10m, 24h); and for
# those that must be more than 0 (timeouts, intervals): a usage error, not a refused setting.
duration = typer_parser(parse_duration)
positive_duration = typer_parser(params.positive_duration)


def duration_option(*names: str, description: str, positive: bool = False) -> Any:
    """A Typer option read as a duration, in seconds (`--help` shows it as DURATION)."""
    return typer.Option(
        *names,
        parser=positive_duration if positive else duration,
        metavar=DURATION_METAVAR,
        help=description,
    )


MIN_INTERVAL = 0.001  # a millisecond: the wire's resolution, and a bound on the model's memory


def check_interval(seconds: float) -> None:
    """A usage error unless `--interval` is at least a millisecond."""
    if not seconds >= MIN_INTERVAL:
        raise typer.BadParameter("must be at least 1ms", param_hint="'--interval'")


MAX_PORT = 65535  # `--port`: a TCP port; 0 picks a free one

# Made-up symbols: four-letter tickers run out past ~450,000, and far fewer already make
# an hour of market larger than memory.
MAX_UNIVERSE = 100_000

# Options of the commands that read a feed (tail, record, demo, check, symbols): defined
# once, in chrono_cli.params, where `chrono tail` reads them without importing Typer.
# (Spelt out as `Annotated` for type checkers; tests check each type is its row's.)
Url = Annotated[str, typer_info(params.URL)]
ApiKey = Annotated[str, typer_info(params.API_KEY)]
StopAfterCount = Annotated[int | None, typer_info(params.COUNT)]
StopAfterDuration = Annotated[float | None, typer_info(params.DURATION)]
CaFile = Annotated[Path | None, typer_info(params.CAFILE)]
