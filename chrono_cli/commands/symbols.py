"""`chrono symbols`: what a server offers, from its `GET /symbols`."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from chrono_cli.exit_codes import ExitCode, fail
from chrono_cli.options import DEFAULT_URL, CaFile, Url

EPILOG = (
    "In a pipe, or with --json, the list is printed as JSON. Exit codes: 0 listed; "
    "2 bad command line (not a ws:// or wss:// URL); 3 unusable --cafile; 4 server "
    "unreachable, its TLS certificate not trusted, or its list unreadable."
)


def symbols(
    url: Url = DEFAULT_URL,
    json_output: Annotated[bool, typer.Option("--json", help="Print the raw JSON list.")] = False,
    cafile: CaFile = None,
) -> None:
    """List the symbols a server offers, with their sources and last prices."""
    import json

    from chrono_sim.client.symbols import fetch_symbols
    from chrono_sim.client.tls import client_tls_context
    from chrono_sim.errors import ConfigError, InvalidUrlError, SymbolsUnavailableError

    try:
        entries = fetch_symbols(url, ssl=client_tls_context(url, cafile))
    except InvalidUrlError as exc:
        fail("symbols", ExitCode.USAGE, str(exc))
    except ConfigError as exc:
        fail("symbols", ExitCode.CONFIG, str(exc))
    except SymbolsUnavailableError as exc:
        fail("symbols", ExitCode.UNAVAILABLE, str(exc))
    if json_output or not sys.stdout.isatty():
        print(json.dumps(entries))
        return
    from rich.console import Console
    from rich.table import Table

    from chrono_cli.commands.tail.format import MISSING, format_price

    table = Table("Symbol", "Last price", "Last update", "Sources", title=f"Symbols at {url}")
    for entry in entries:
        table.add_row(
            entry["symbol"],
            format_price(entry.get("last_price")),
            str(entry.get("last_update") or MISSING),
            ", ".join(entry.get("sources") or ()),
        )
    Console().print(table)
