"""How `chrono check` shows its verdicts: a Rich table, a summary line, a JSON list."""

from __future__ import annotations

import json

from rich.console import Console

from chrono_cli.commands.check import format_json, format_summary, results_table
from chrono_sim.conformance import CheckResult, Status

RESULTS = [
    CheckResult("ping", "ping: pong with timestamp", Status.PASS, "pong with timestamp", 0.01),
    CheckResult("heartbeat", "heartbeat: pong within", Status.FAIL, "no heartbeat pong", 1.5),
    CheckResult("idle-timeout", "idle timeout: close 4408", Status.SKIP, "slow", 0.0),
]


def test_summary_counts_each_verdict() -> None:
    assert format_summary(RESULTS, 2.04) == "3 rules: 1 passed, 1 failed, 1 skipped in 2.0 s"


def test_json_is_one_object_per_rule_in_order() -> None:
    rows = json.loads(format_json(RESULTS))

    assert rows[1] == {
        "id": "heartbeat",
        "rule": "heartbeat: pong within",
        "status": "fail",
        "detail": "no heartbeat pong",
        "seconds": 1.5,
    }
    assert [row["status"] for row in rows] == ["pass", "fail", "skip"]


def test_table_has_a_row_per_rule_with_its_verdict_and_detail() -> None:
    console = Console(width=120, record=True)
    console.print(results_table(RESULTS, "ws://h/stream"))
    lines = console.export_text().splitlines()

    failing = [line for line in lines if "heartbeat" in line]
    assert len(failing) == 1
    assert "FAIL" in failing[0]
    assert "no heartbeat pong" in failing[0]
    assert any("PASS" in line and "ping" in line for line in lines)
    assert any("SKIP" in line and "idle timeout" in line for line in lines)
