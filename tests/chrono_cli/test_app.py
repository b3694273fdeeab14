"""`chrono` itself: bare, `--version`, and a bad value as one usage line (exit 2), in our words."""

from __future__ import annotations

import pytest

from chrono_sim.version import __version__
from tests.support.processes import run_cli


def test_bare_chrono_prints_the_help_and_succeeds() -> None:
    result = run_cli()
    assert result.returncode == 0
    assert result.stdout.startswith("Usage: chrono [OPTIONS] COMMAND [ARGS]...")
    assert "Commands:" in result.stdout
    assert result.stderr == ""


def test_version() -> None:
    result = run_cli("--version")
    assert result.returncode == 0
    assert result.stdout == f"chrono {__version__}\n"


def test_h_is_help() -> None:
    result = run_cli("-h")
    assert result.returncode == 0
    assert result.stdout == run_cli("--help").stdout


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (["serve", "--port", "99999"], "must be between 0 and 65535, not 99999"),
        (["demo", "--port", "-1"], "must be between 0 and 65535, not -1"),
        (["serve", "--max-connections", "0"], "must be at least 1, not 0"),
        (["serve", "--ip-connect-rate", "0"], "must be at least 1, not 0"),
        (["serve", "--heartbeat-interval", "0"], "must be more than 0, not 0"),
        (["serve", "--idle-timeout", "0s"], "must be more than 0, not 0s"),
        (["serve", "--universe", "200000"], "must be between 0 and 100000, not 200000"),
        (["serve", "--port", "x"], "'x' is not a whole number"),
        (["tail", "BTC/USD", "--count", "0"], "must be at least 1, not 0"),
        (["tail", "BTC/USD", "--late-after", "0"], "must be more than 0, not 0"),
        (["check", "ws://127.0.0.1:1/stream", "--timeout", "0"], "must be more than 0, not 0"),
        (["demo", "--speed", "0"], "must be at least 0.001, not 0"),
        (["bench", "--seconds", "x"], "'x' is not a number"),
    ],
)  # fmt: skip
def test_a_value_out_of_range_is_a_usage_error_in_one_plain_line(
    args: list[str], problem: str
) -> None:
    option = next(arg for arg in args if arg.startswith("--"))
    result = run_cli(*args)
    assert result.returncode == 2
    assert result.stderr == f"chrono {args[0]}: error: Invalid value for '{option}': {problem}\n"
    assert "Input should" not in result.stderr
