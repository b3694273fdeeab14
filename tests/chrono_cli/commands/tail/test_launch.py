"""`chrono tail` starts fast: without Typer, pydantic, or what only other commands need.

Launch time itself is measured, not asserted, by tests/benchmarks/test_tail_startup.py;
what these tests pin down is what makes it: the modules a launch imports.
"""

from __future__ import annotations

import asyncio
import os
import pty
import select
import subprocess
import sys
import tempfile

import pytest

from chrono_sim.server import ChronoServer
from tests.support.processes import run_cli
from tests.support.sessions import quote

# Typer, and the pydantic it parses arguments with, are more than half of a launch; the
# rest are what generating, serving or replaying a market needs.
NOT_FOR_TAIL = (
    *("typer", "click", "pydantic", "pydantic_core", "numpy", "faker"),
    *("chrono_sim.market", "chrono_sim.server", "chrono_sim.sources", "chrono_sim.datafiles"),
    *("chrono_cli.app", "chrono_cli.options", "chrono_cli.commands.serve"),
    "chrono_cli.commands.tail.command",
)


def tail_command(server: ChronoServer, *options: str) -> list[str]:
    """A whole `chrono tail --snapshot --count 1` process that logs what it imports."""
    url = f"ws://127.0.0.1:{server.port}/stream"
    tail = ["tail", "BTC/USD", "--snapshot", "--count", "1", "--url", url, *options]
    return [sys.executable, "-X", "importtime", "-m", "chrono_cli", *tail]


def imported(importtime_log: str) -> set[str]:
    """The modules named in a `python -X importtime` log."""
    lines = importtime_log.splitlines()
    entries = [line.rsplit("|", 1) for line in lines if line.startswith("import time:")]
    return {entry[-1].strip() for entry in entries[1:]}  # entries[0] is the column header


def unwanted(modules: set[str], packages: tuple[str, ...]) -> set[str]:
    """The `modules` that are one of `packages`, or in one."""
    return {m for m in modules if any(m == p or m.startswith(f"{p}.") for p in packages)}


def in_a_terminal(command: list[str]) -> tuple[int, str, str]:
    """Run `command` with its stdout on a pseudo-terminal: exit code, screen, stderr."""
    env = {**os.environ, "COLUMNS": "100", "LINES": "20"}
    with tempfile.TemporaryFile() as log:  # not a pipe: the import log may not fit in one
        controller, terminal = pty.openpty()
        process = subprocess.Popen(command, stdout=terminal, stderr=log, env=env)
        os.close(terminal)
        screen = b""
        while select.select([controller], [], [], 30)[0]:
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # the terminal's last user is gone (Linux)
                break
            if not chunk:
                break
            screen += chunk
        code = process.wait(timeout=30)
        os.close(controller)
        log.seek(0)
        return code, screen.decode(errors="replace"), log.read().decode()


async def test_tail_in_a_pipe_imports_neither_typer_nor_rich(server: ChronoServer) -> None:
    server.hub.publish(quote("BTC/USD", 45123.5))
    process = await asyncio.create_subprocess_exec(
        *tail_command(server, "--json"),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 0
    assert '"snapshot":true' in stdout.decode()
    modules = imported(stderr.decode())
    assert {"chrono_cli.commands.tail.run", "chrono_sim.client", "websockets"} <= modules
    assert unwanted(modules, (*NOT_FOR_TAIL, "rich")) == set()


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
async def test_tail_in_a_terminal_imports_rich_but_not_typer(server: ChronoServer) -> None:
    server.hub.publish(quote("BTC/USD", 45123.5))
    code, screen, stderr = await asyncio.to_thread(in_a_terminal, tail_command(server))
    assert code == 0
    assert "45,123.50" in screen
    modules = imported(stderr)
    assert {"chrono_cli.commands.tail.live", "rich"} <= modules
    assert unwanted(modules, NOT_FOR_TAIL) == set()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--count", "0"], "Invalid value for '--count'"),
        ([f"S{i}" for i in range(10)], "at most 10 symbols, got 11"),
    ],
)
def test_a_command_line_tail_cannot_run_gets_typers_error(args: list[str], message: str) -> None:
    result = run_cli("tail", "BTC/USD", *args)
    assert result.returncode == 2
    assert " tail: error: " in result.stderr
    assert message in result.stderr
