"""The `chrono` program's entry point: a plain `chrono tail` starts without Typer.

Typer, and the pydantic it converts arguments with, take more than half of
`chrono tail`'s launch to its first price. So a `tail` command line that
`chrono_cli.commands.tail.arguments.parse_plain` reads (from the same table the
Typer command is built from) runs straight away; everything else (other
commands, help, errors) goes to the Typer app in `chrono_cli.app`.
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    """Run `chrono` with `sys.argv`; exits with the command's exit code."""
    args = sys.argv[1:]
    try:
        _run(args)
    except KeyboardInterrupt:  # before the command's own Ctrl-C handling is set up
        from chrono_cli.exit_codes import on_ctrl_c

        sys.exit(on_ctrl_c(args))


def _run(args: list[str]) -> None:
    if args[:1] == ["tail"]:
        from chrono_cli.commands.tail.arguments import parse_plain

        plain = parse_plain(args[1:], os.environ)
        if plain is not None:
            from chrono_cli.commands.tail.run import run

            sys.exit(run(plain))
    from chrono_cli.app import main as typer_main

    typer_main()
