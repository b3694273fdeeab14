"""Every server message's timestamp, judged as it arrives, for the run's timestamp rule."""

from __future__ import annotations

from collections import Counter

from chrono_sim.conformance.shapes import TIMESTAMPED, Message, timestamp_problem


class TimestampLog:
    """Counts the timestamps seen per message type and keeps the first bad one of each."""

    def __init__(self) -> None:
        self.checked: Counter[str] = Counter()
        self.bad: Counter[str] = Counter()
        self.examples: dict[str, str] = {}

    def record(self, message: Message) -> None:
        kind = message.get("type")
        if not isinstance(kind, str) or kind not in TIMESTAMPED:
            return  # extensions may add message types; the rule covers the documented ones
        self.checked[kind] += 1
        if "timestamp" in message:
            problem: str | None = timestamp_problem(message["timestamp"])
        else:
            problem = "no `timestamp` field"
        if problem is not None:
            self.bad[kind] += 1
            self.examples.setdefault(kind, problem)

    def verdict(self) -> tuple[bool, str]:
        """(all good, detail) over everything recorded so far."""
        seen = ", ".join(f"{kind} {count}" for kind, count in sorted(self.checked.items()))
        if not self.bad:
            return True, f"{self.checked.total()} checked ({seen})"
        worst = ", ".join(
            f"{kind}: {self.bad[kind]} of {self.checked[kind]}, e.g. {self.examples[kind]}"
            for kind in sorted(self.bad)
        )
        return False, f"bad timestamps on {worst}"
