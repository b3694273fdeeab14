"""The `chrono` Typer app, where the commands are registered, and its one-line errors.

Commands import their heavy modules lazily, so `--help` is fast.
"""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from chrono_cli.commands import bench, check, demo, generate, record, symbols
from chrono_cli.commands.serve import command as serve
from chrono_cli.commands.tail import command as tail
from chrono_cli.exit_codes import ExitCode, on_ctrl_c
from chrono_cli.help import ChronoCommand
from chrono_cli.messages import not_a, out_of_range

app = typer.Typer(
    name="chrono",
    help="Simulate, watch and test the Chrono real-time price WebSocket protocol.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    # -h as well as --help, on every command: subcommands take it from the root's context.
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _show_version(asked: bool) -> None:
    if asked:
        from chrono_sim.version import __version__

        print(f"chrono {__version__}")
        raise typer.Exit(ExitCode.OK)


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", is_eager=True, callback=_show_version, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Simulate, watch and test the Chrono real-time price WebSocket protocol."""


# Each command's line in `chrono --help`: one whole sentence, short enough for 80 columns
# (Click cuts a longer first sentence of the docstring with "...").
SHORT_HELP = {
    "serve": "Serve a price feed: synthetic prices or a replayed file.",
    "tail": "Stream live prices: a table in a terminal, JSON in a pipe.",
    "symbols": "List the symbols a server offers, with their last prices.",
    "generate": "Write a synthetic market to a file, faster than real time.",
    "record": "Record a feed's price updates to a file, for replay.",
    "demo": "Watch a bundled sample market live, all on this machine.",
    "check": "Check a server against every rule of the protocol.",
    "bench": "Measure the server against its performance targets.",
}


def _command(name: str, epilog: str | None = None) -> Any:
    return app.command(name, cls=ChronoCommand, short_help=SHORT_HELP[name], epilog=epilog)


_command("serve", serve.EPILOG)(serve.serve)
_command("tail", tail.EPILOG)(tail.tail)
_command("symbols", symbols.EPILOG)(symbols.symbols)
_command("generate", generate.EPILOG)(generate.generate)
_command("record", record.EPILOG)(record.record)
_command("demo", demo.EPILOG)(demo.demo)
_command("check", check.EPILOG)(check.check)
_command("bench", bench.EPILOG)(bench.bench)


def main() -> None:
    """Entry point of the `chrono` script: errors are one line on stderr, never a traceback."""
    # Plain `chrono` asks what there is to do: the help is the answer, on stdout (so
    # `chrono | less` pages it), exit 0. Nothing was misspelt, so no error line and no
    # exit 2; `chrono tail` without a symbol, an incomplete command, is still exit 2.
    args = sys.argv[1:] or ["--help"]
    try:
        code = app(args=args, prog_name="chrono", standalone_mode=False)
    except typer.TyperException as exc:  # usage errors: bad option, missing argument, ...
        context = getattr(exc, "ctx", None)
        command = context.command_path if context is not None else "chrono"
        if isinstance(exc, typer.BadParameter) and (reworded := _value_error(exc)):
            exc.message = reworded
        if message := exc.format_message():
            print(f"{command}: error: {message}", file=sys.stderr)
        sys.exit(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        sys.exit(on_ctrl_c(args))
    sys.exit(code if isinstance(code, int) else ExitCode.OK)


# pydantic's error types (not its wording) for a value Typer could not convert or take.
_RANGE_ERRORS = frozenset({"greater_than", "greater_than_equal", "less_than", "less_than_equal"})
_WHOLE_NUMBER_ERRORS = frozenset({"int_parsing", "int_from_float", "int_type"})
_NUMBER_ERRORS = frozenset({"float_parsing", "float_type", "finite_number"})


def _value_error(exc: typer.BadParameter) -> str | None:
    """A bad value Typer found (through pydantic) in `chrono_cli.messages`' words, if it is one.

    Typer passes on pydantic's wording ("Input should be greater than or equal to 1");
    the kind of error is read from pydantic's error type, never from that text.
    """
    from pydantic import ValidationError

    cause = exc.__cause__
    if not isinstance(cause, ValidationError) or not cause.errors():
        return None
    error = cause.errors()[0]
    kind, value = error["type"], error.get("input")
    if kind in _RANGE_ERRORS:
        low, high = getattr(exc.param, "min", None), getattr(exc.param, "max", None)
        if low is None and high is None:
            limits = error.get("ctx") or {}
            low, high = limits.get("ge", limits.get("gt")), limits.get("le", limits.get("lt"))
        return out_of_range(low, high, value)
    if kind in _WHOLE_NUMBER_ERRORS:
        return not_a("a whole number", value)
    if kind in _NUMBER_ERRORS:
        return not_a("a number", value)
    return None
