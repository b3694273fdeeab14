"""Exit codes: Ctrl-C ends a command that runs until stopped with 0, any other with 130."""

from __future__ import annotations

import sys

import pytest

from chrono_cli import app as app_module
from chrono_cli.exit_codes import ExitCode, on_ctrl_c


@pytest.mark.parametrize("command", ["tail", "record", "serve", "demo"])
def test_ctrl_c_is_the_normal_end_of_a_command_that_runs_until_stopped(command: str) -> None:
    assert on_ctrl_c([command, "BTC/USD"]) == ExitCode.OK


@pytest.mark.parametrize("args", [["check", "ws://x"], ["generate", "-o", "x.jsonl"], []])
def test_ctrl_c_interrupts_any_other_command(args: list[str]) -> None:
    assert on_ctrl_c(args) == ExitCode.INTERRUPTED


@pytest.mark.parametrize(("command", "code"), [("record", 0), ("check", 130)])
def test_a_ctrl_c_before_the_commands_own_handling_exits_by_that_rule(
    monkeypatch: pytest.MonkeyPatch, command: str, code: int
) -> None:
    def interrupted(**_: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(app_module, "app", interrupted)
    monkeypatch.setattr(sys, "argv", ["chrono", command])
    with pytest.raises(SystemExit) as ended:
        app_module.main()
    assert ended.value.code == code
