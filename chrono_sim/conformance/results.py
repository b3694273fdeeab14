"""What a check reports: one row per rule, PASS, FAIL or SKIP with a readable detail.

`CheckFailed` and `CheckSkipped` are how a check ends early; the runner turns
them into rows, so they never reach a caller of the library.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from chrono_sim.errors import CheckFailed


class Status(enum.StrEnum):
    PASS = "pass"
    FAIL = "fail"
    SKIP = "skip"


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The verdict on one rule; `detail` names what was seen against what was expected."""

    id: str
    rule: str
    status: Status
    detail: str
    seconds: float

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "rule": self.rule,
            "status": self.status.value,
            "detail": self.detail,
            "seconds": round(self.seconds, 3),
        }


def expect(condition: bool, detail: str) -> None:
    """Fail the current check with `detail` unless `condition` holds."""
    if not condition:
        raise CheckFailed(detail)
