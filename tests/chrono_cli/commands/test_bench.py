"""`chrono bench --host/--port`: where the server under test binds, passed to every phase."""

from __future__ import annotations

import os

import pytest
from typer.testing import CliRunner

from chrono_cli.app import app
from chrono_sim.bench import suite
from chrono_sim.bench.scenarios import Run


@pytest.fixture
def runs(monkeypatch: pytest.MonkeyPatch) -> list[Run]:
    """The `Run` each `chrono bench` hands the suite (which does not run)."""
    seen: list[Run] = []

    def run_suite(run: Run, **_: object) -> list[suite.Row]:
        seen.append(run)
        return []

    monkeypatch.setattr(suite, "run_suite", run_suite)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1})
    return seen


def test_the_server_under_test_binds_host_and_port_given(runs: list[Run]) -> None:
    result = CliRunner().invoke(
        app, ["bench", "--loop", "asyncio", "--host", "::1", "--port", "4123"]
    )
    assert result.exit_code == 0, result.output
    assert [(run.host, run.port) for run in runs] == [("::1", 4123)]


def test_by_default_a_free_port_on_loopback(runs: list[Run]) -> None:
    result = CliRunner().invoke(app, ["bench", "--loop", "asyncio"])
    assert result.exit_code == 0, result.output
    assert [(run.host, run.port) for run in runs] == [("127.0.0.1", 0)]
