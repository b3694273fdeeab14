"""The text of the faults `chrono tail` sees: one line per finding, status parts, a summary.

Pure functions of `chrono_sim.client.ledger` values, so the wording is tested without a feed.
"""

from __future__ import annotations

from chrono_sim.client.ledger import FaultKind, FaultLedger, Finding

# What follows "KIND: SYMBOL seq N" for the kinds that say no more than that.
_PLAIN = {
    FaultKind.DUPLICATE: "received again",
    FaultKind.OUT_OF_ORDER: "arrived after a later one",
    FaultKind.RESET: "numbers from the start again (server restarted?)",
}


def describe_finding(finding: Finding) -> str | None:
    """The stderr line for one finding; None for a disconnect (tail already says it closed)."""
    where = f"{finding.symbol} seq {finding.seq}" if finding.seq is not None else finding.symbol
    kind = finding.kind
    if kind in _PLAIN:
        return f"{kind}: {where} {_PLAIN[kind]}"
    if kind is FaultKind.MISSED:
        # The wording `chrono tail` has always used, which scripts may look for.
        line = f"missed {finding.missed} update(s) of {finding.symbol} before seq {finding.seq}"
        return line + (" (published while reconnecting)" if finding.across_reconnect else "")
    if kind is FaultKind.LATE:
        return f"late: {where} arrived {_seconds(finding.late)} after its timestamp"
    if kind is FaultKind.STALL:
        then = f", then {where}" if finding.symbol else ", then a heartbeat"
        return f"stall: {_seconds(finding.silence)} of silence{then} {_seconds(finding.late)} late"
    return None


def status_parts(ledger: FaultLedger) -> list[str]:
    """The faults for the live status line, besides missed: only kinds seen, short."""
    counts = [
        ("dup", ledger.duplicates),
        ("out of order", ledger.out_of_order),
        ("resets", ledger.resets),
        ("late", ledger.late),
        ("stalls", ledger.stalls),
        ("disconnects", ledger.total_disconnects),
    ]
    return [f"{label} {count:,}" for label, count in counts if count]


def summary(ledger: FaultLedger) -> str:
    """One line for the end of a run: updates, then every kind of fault, seen or not."""
    updates = f"{ledger.updates:,} update{'' if ledger.updates == 1 else 's'}"
    away = ledger.missed_reconnecting
    parts = [
        f"missed {ledger.missed:,}" + (f" ({away:,} while reconnecting)" if away else ""),
        f"duplicates {ledger.duplicates:,}",
        f"out of order {ledger.out_of_order:,}",
    ]
    if ledger.resets:
        parts.append(f"resets {ledger.resets:,}")
    parts += [
        f"late {ledger.late:,}",
        f"stalls {ledger.stalls:,}",
        f"disconnects {ledger.total_disconnects:,}" + _by_code(ledger),
    ]
    return f"summary: {updates}; {', '.join(parts)}"


def _by_code(ledger: FaultLedger) -> str:
    if not ledger.disconnects:
        return ""
    codes = sorted(ledger.disconnects.items(), key=lambda item: (item[0] is None, item[0] or 0))
    return " (" + ", ".join(f"{code or 'no code'} x{count}" for code, count in codes) + ")"


def _seconds(seconds: float) -> str:
    """`0.250s`, `2.5s`: milliseconds matter below a second (timestamps have no finer)."""
    return f"{seconds:.3f}s" if seconds < 1 else f"{seconds:.1f}s"
