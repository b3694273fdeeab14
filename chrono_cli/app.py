"""The `chrono` Typer app, where the commands are registered, and its one-line errors.

Commands import their heavy modules lazily, so `--help` is fast.
"""

from __future__ import annotations

import sys

import typer

from chrono_cli.commands import bench, check, demo, generate, record, symbols
from chrono_cli.commands.serve import command as serve
from chrono_cli.commands.tail import command as tail
from chrono_cli.exit_codes import ExitCode

app = typer.Typer(
    name="chrono",
    help="Simulate, watch and test the Chrono real-time price WebSocket protocol.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


@app.callback()
def _root() -> None:
    """Simulate, watch and test the Chrono real-time price WebSocket protocol."""


app.command("serve")(serve.serve)
app.command("tail", epilog=tail.EPILOG)(tail.tail)
app.command("symbols")(symbols.symbols)
app.command("generate", epilog=generate.EPILOG)(generate.generate)
app.command("record", epilog=record.EPILOG)(record.record)
app.command("demo")(demo.demo)
app.command("check", epilog=check.EPILOG)(check.check)
app.command("bench", epilog=bench.EPILOG)(bench.bench)


def main() -> None:
    """Entry point of the `chrono` script: errors are one line on stderr, never a traceback."""
    try:
        code = app(standalone_mode=False)
    except typer.TyperException as exc:  # usage errors: bad option, missing argument, ...
        context = getattr(exc, "ctx", None)
        command = context.command_path if context is not None else "chrono"
        if message := exc.format_message():  # empty after no_args_is_help printed the help
            print(f"{command}: error: {message}", file=sys.stderr)
        sys.exit(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        sys.exit(ExitCode.INTERRUPTED)
    sys.exit(code if isinstance(code, int) else ExitCode.OK)
