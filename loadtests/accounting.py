"""Where every update went: what the feed users saw, set against what the server says it did.

Pure (no locust, no sockets), so `tests/loadtests/test_accounting.py` runs it
without locust.

A feed user sorts each update by its symbol's `seq` (`SeqTracker.classify`). It
subscribes with snapshots, so a fresh connection's first update of a symbol is the
latest published: a gap up to it was published while the user was away
(reconnecting), and the server never owed it to that connection. Every other
gap, repeat or swap is something the server did to a live connection, so it must
appear in the server's own ledger (`GET /metrics`): injected drops and conflated
updates cover the gaps, injected duplicates the repeats, injected reorders the
swaps, injected disconnects the 1006 closes. A client can see less than was
injected (a drop after a connection's last update of a symbol shows as no gap), never
more: more is a loss nobody can explain, and fails the run.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from prometheus_client.parser import text_string_to_metric_families

from chrono_sim.client.gaps import SeqKind, SeqTracker, SeqVerdict

ABNORMAL_CLOSURE = 1006  # no close frame: what the `disconnect` fault looks like


@dataclass(slots=True)
class FeedTally:
    """What all feed users of this locust process saw, by kind."""

    received: int = 0  # live updates
    snapshots: int = 0  # the latest update of a symbol, sent on subscribing
    missed: int = 0  # within a connection: net of gaps later filled by late arrivals
    missed_away: int = 0  # published while a user was reconnecting
    duplicates: int = 0
    out_of_order: int = 0
    resets: int = 0
    unsequenced: int = 0  # updates without `seq`: a server that cannot show losses
    ahead: int = 0  # timestamps later than our receive time: the clocks disagree
    disconnects: Counter[int] = field(default_factory=Counter)  # by close code (1006: none)

    def observe(
        self,
        tracker: SeqTracker,
        symbol: str,
        seq: object,
        *,
        snapshot: bool = False,
    ) -> SeqVerdict:
        """Count one update (the tracker knows each connection's first of a symbol)."""
        if snapshot:
            self.snapshots += 1
        else:
            self.received += 1
        if isinstance(seq, bool) or not isinstance(seq, int):
            self.unsequenced += 1
            return SeqVerdict(SeqKind.UNSEQUENCED)
        verdict = tracker.classify(symbol, seq, snapshot=snapshot)
        if verdict.across_reconnect:
            self.missed_away += verdict.missed
        else:
            self.missed += verdict.missed
        if verdict.kind is SeqKind.DUPLICATE:
            self.duplicates += 1
        elif verdict.kind is SeqKind.OUT_OF_ORDER:
            self.out_of_order += 1
        elif verdict.kind is SeqKind.RESET:
            self.resets += 1
        return verdict

    def summary(self) -> str:
        if not self.received:
            return "feed: no price update received"
        ratio = self.missed / (self.received + self.missed)
        codes = ", ".join(f"{code} x{n}" for code, n in sorted(self.disconnects.items()))
        line = (
            f"feed: {self.received:,} updates received, {self.missed:,} missed "
            f"({ratio:.2%}) by seq gaps, {self.disconnects.total()} disconnect(s)"
            + (f" ({codes})" if codes else "")
        )
        extras = [
            (self.snapshots, "snapshots on subscribing"),
            (self.missed_away, "published while reconnecting"),
            (self.duplicates, "duplicates"),
            (self.out_of_order, "out of order"),
            (self.resets, "seq resets (server restarted?)"),
            (self.unsequenced, "without seq (losses not measurable)"),
            (self.ahead, "stamped later than received (clock skew, latency 0)"),
        ]
        for count, what in extras:
            if count:
                line += f"; {count:,} {what}"
        return line


@dataclass(frozen=True, slots=True)
class ServerLedger:
    """What a Chrono server says it did: faults injected by kind, updates conflated."""

    faults: dict[str, int]
    conflated: int

    @classmethod
    def from_metrics(cls, exposition: str) -> ServerLedger:
        """Read `GET /metrics`; raises ValueError when it is not a Chrono server's."""
        faults: dict[str, int] = {}
        conflated: int | None = None
        for family in text_string_to_metric_families(exposition):
            for sample in family.samples:
                if sample.name == "chrono_faults_injected_total":
                    faults[sample.labels.get("kind", "")] = int(sample.value)
                elif sample.name == "chrono_conflated_updates_total":
                    conflated = int(sample.value)
        if conflated is None:
            raise ValueError("no chrono_conflated_updates_total: not a Chrono server's metrics")
        return cls(faults, conflated)


@dataclass(frozen=True, slots=True)
class Account:
    """The reconciliation: one line per kind, and whether every observation is explained."""

    lines: list[str]
    ok: bool


def account(tally: FeedTally, ledger: ServerLedger) -> Account:
    """Set what clients saw against what the server did (see the module docstring)."""
    faults = ledger.faults
    drops, conflated = faults.get("drop", 0), ledger.conflated
    duplicates, reorders = faults.get("duplicate", 0), faults.get("reorder", 0)
    aborts = faults.get("disconnect", 0)
    rows = [  # what clients saw, what explains it, and how the server says it did so
        ("missed updates", tally.missed, drops + conflated,
         f"dropped {drops:,} and conflated {conflated:,}"),
        ("duplicates", tally.duplicates, duplicates, f"duplicated {duplicates:,}"),
        ("out of order", tally.out_of_order, reorders, f"reordered {reorders:,}"),
        ("1006 disconnects", tally.disconnects[ABNORMAL_CLOSURE], aborts,
         f"dropped {aborts:,} connections"),
    ]  # fmt: skip
    lines: list[str] = []
    ok = True
    for name, seen, explained, said in rows:
        if seen > explained:
            ok = False
            lines.append(f"UNACCOUNTED {name}: clients saw {seen:,}; the server {said}")
        else:
            unseen = explained - seen
            note = f"; {unseen:,} not seen: cut off by a disconnect or the end" if unseen else ""
            lines.append(f"accounted {name}: {seen:,} seen; the server {said}{note}")
    others = {code: n for code, n in tally.disconnects.items() if code != ABNORMAL_CLOSURE}
    if others:
        ok = False
        listed = ", ".join(
            f"{code or 'no code'} x{n}" for code, n in sorted(others.items(), key=str)
        )
        lines.append(f"UNACCOUNTED disconnects: {listed} (no fault closes that way)")
    if tally.missed_away:
        were = "update was" if tally.missed_away == 1 else "updates were"
        lines.append(f"note: {tally.missed_away:,} {were} published while users reconnected")
    for kind in ("delay", "stall"):
        if faults.get(kind):
            lines.append(f"note: {faults[kind]:,} {kind}s injected; they show in update latency")
    return Account(lines, ok)
