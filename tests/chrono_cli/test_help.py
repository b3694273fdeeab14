"""`chrono COMMAND --help` as a newcomer reads it: no type names, defaults as the docs say."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from functools import cache

import pytest

from chrono_cli.help import duration_text
from chrono_sim.durations import parse_duration

COMMANDS = ("serve", "tail", "symbols", "generate", "record", "demo", "check", "bench")


@cache
def chrono(*args: str) -> subprocess.CompletedProcess[str]:
    """`chrono ARGS` in an 80-column terminal (as far as help is concerned)."""
    return subprocess.run(
        [sys.executable, "-m", "chrono_cli", *args],
        capture_output=True, text=True, timeout=60, check=False,
        env={**os.environ, "COLUMNS": "80"},
    )  # fmt: skip


def help_of(command: str) -> str:
    result = chrono(command, "--help")
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("command", COMMANDS)
def test_no_type_name_of_typer_click_or_pydantic_shows(command: str) -> None:
    shown = help_of(command)
    assert not re.search(r"<[a-z][a-z\[\] ]*>", shown), shown  # <int range>, <list[str]>, <path>
    assert not re.search(r"\{[a-zA-Z_]+\}", shown), shown  # {symbols}...
    assert "x>=" not in shown


@pytest.mark.parametrize(
    ("command", "usage", "rows"),
    [
        ("tail", "Usage: chrono tail [OPTIONS] SYMBOL...", ["SYMBOL...", "--count N", "--url URL"]),
        ("record", "Usage: chrono record [OPTIONS] SYMBOL...", ["-o, --output FILE"]),
        ("check", "Usage: chrono check [OPTIONS] URL", ["--api-key KEY", "--timeout DURATION"]),
        ("serve", "Usage: chrono serve [OPTIONS]", ["--port PORT", "--seed N", "--host HOST"]),
        ("generate", "Usage: chrono generate [OPTIONS]", ["--seed N", "--start TIME"]),
        ("demo", "Usage: chrono demo [OPTIONS]", ["--speed N", "--port PORT"]),
    ],
)
def test_arguments_and_options_show_names_a_user_understands(
    command: str, usage: str, rows: list[str]
) -> None:
    shown = help_of(command)
    assert shown.startswith(usage + "\n")
    for row in rows:
        assert re.search(rf"^  {re.escape(row)}  ", shown, re.MULTILINE), (row, shown)


@pytest.mark.parametrize(
    ("command", "option", "default"),
    [
        ("generate", "--duration", "1h"),
        ("generate", "--interval", "4s"),
        ("tail", "--late-after", "100ms"),
        ("tail", "--stall-after", "1s"),
        ("serve", "--heartbeat-interval", "30s"),
        ("serve", "--idle-timeout", "5m"),
        ("check", "--timeout", "10s"),
    ],
)
def test_durations_default_as_the_docs_write_them(command: str, option: str, default: str) -> None:
    row = re.search(
        rf"^  {option} DURATION .*?(?=^  -)", help_of(command), re.MULTILINE | re.DOTALL
    )
    assert row is not None
    assert f"[default: {default}]" in " ".join(row.group().split())


def test_a_counted_flag_shows_no_default() -> None:
    row = re.search(r"^  -v, --verbose  .*?(?=^  -)", help_of("serve"), re.MULTILINE | re.DOTALL)
    assert row is not None
    assert "default" not in row.group()


def test_ranges_read_as_words() -> None:
    shown = " ".join(help_of("serve").split())
    assert "[default: 3000; between 0 and 65535]" in shown
    assert "[default: 50000; at least 1]" in shown


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_says_its_exit_codes(command: str) -> None:
    shown = " ".join(help_of(command).split())
    assert "Exit codes: 0 " in shown
    assert "2 bad command line" in shown


@pytest.mark.parametrize("command", COMMANDS)
def test_h_is_help_for_every_command(command: str) -> None:
    result = chrono(command, "-h")
    assert result.returncode == 0
    assert result.stdout == help_of(command)
    assert "-h, --help" in result.stdout


def test_the_command_list_has_whole_sentences() -> None:
    result = chrono("--help")
    listing = result.stdout.split("Commands:\n", 1)[1].splitlines()
    assert [line.split()[0] for line in listing] == list(COMMANDS)
    for line in listing:
        assert line.endswith("."), line
        assert not line.endswith("..."), line


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        *((3600, "1h"), (7200, "2h"), (300, "5m"), (90, "90s"), (4, "4s"), (1.5, "1.5s")),
        *((0.1, "100ms"), (0.25, "250ms"), (0, "0s"), (86400, "24h")),
    ],
)
def test_duration_text_is_what_the_docs_write_and_reads_back(seconds: float, text: str) -> None:
    assert duration_text(seconds) == text
    assert parse_duration(text) == pytest.approx(seconds)
