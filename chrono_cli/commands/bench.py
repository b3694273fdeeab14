"""`chrono bench`: fan-out, latency, memory and startup, measured on this machine."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from chrono_cli.exit_codes import ExitCode, fail
from chrono_cli.options import MAX_PORT

if TYPE_CHECKING:
    from chrono_sim.bench.suite import Row

EPILOG = (
    "The server runs on CPU 0 and the load generator on CPU 1, each in its own process;"
    " results are counted at the clients. See docs/benchmarks.md for what each row means."
    " Exit codes: 0 every target met; 1 the run failed (a server could not listen on"
    " --host/--port, a process died); 2 bad command line; 3 fewer than two CPU cores;"
    " 8 a figure fell short of its target."
)


def bench(
    seconds: Annotated[
        float, typer.Option(min=1.0, metavar="SECONDS", help="Measured window of each phase.")
    ] = 5.0,
    connections: Annotated[
        int,
        typer.Option(
            min=1, metavar="N", help="Connections for the memory row (fd limits permitting)."
        ),
    ] = 19_900,
    loop: Annotated[
        str,
        typer.Option(
            metavar="uvloop|asyncio|auto",
            help="Event loop of the server and clients (auto: uvloop where installed).",
        ),
    ] = "auto",
    json_output: Annotated[bool, typer.Option("--json", help="Print the rows as JSON.")] = False,
    host: Annotated[
        str,
        typer.Option(
            metavar="HOST", help="Address the server under test binds; its clients connect there."
        ),
    ] = "127.0.0.1",
    port: Annotated[
        int,
        typer.Option(
            min=0,
            max=MAX_PORT,
            metavar="PORT",
            help="TCP port of the server under test, reused by each phase (0 picks a free one).",
        ),
    ] = 0,
) -> None:
    """Measure the server against the targets of docs/benchmarks.md; exit 8 if one is missed."""
    import json
    import os
    from dataclasses import asdict

    from chrono_sim.bench.processes import loop_kinds
    from chrono_sim.bench.scenarios import Run
    from chrono_sim.bench.suite import run_suite

    available = loop_kinds()
    chosen = available[0] if loop == "auto" else loop
    if chosen not in available:
        fail("bench", ExitCode.USAGE, f"--loop must be one of {', '.join(available)}")
    if len(os.sched_getaffinity(0)) < 2:
        fail("bench", ExitCode.CONFIG, "needs two CPU cores: one for the server, one for load")
    run = Run(
        loop="uvloop" if chosen == "uvloop" else "asyncio", seconds=seconds, host=host, port=port
    )

    def progress(step: str) -> None:
        print(f"chrono bench: {step} ...", file=sys.stderr, flush=True)

    try:
        rows = run_suite(run, connections=connections, progress=progress)
    except (RuntimeError, OSError) as exc:
        fail("bench", ExitCode.FAILURE, str(exc))
    if json_output:
        listing = [asdict(row) for row in rows]
        print(json.dumps({"loop": chosen, "seconds": seconds, "rows": listing}))
    else:
        _print_table(rows, chosen, seconds)
    if not all(row.passed for row in rows):
        raise typer.Exit(ExitCode.TARGETS_MISSED)


def _print_table(rows: list[Row], loop: str, seconds: float) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(
        "Metric", "Target", "Measured", "",
        title=f"chrono bench ({loop}, {seconds:g} s per phase, 2 cores)",
    )  # fmt: skip
    for row in rows:
        verdict = "[green]met[/]" if row.passed else "[red]missed[/]"
        table.add_row(row.metric, row.target, row.measured, verdict)
    # Piped to a file (as for docs/benchmarks.md), Rich would wrap at 80 columns.
    Console(width=None if sys.stdout.isatty() else 150).print(table)
