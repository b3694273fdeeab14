"""What `chrono tail` says about the faults it sees: per finding, on the status line, at the end."""

from __future__ import annotations

import io

from chrono_cli.commands.tail.faults import describe_finding, status_parts, summary
from chrono_cli.commands.tail.json_sink import JsonLinesSink
from chrono_sim.client import Connected, Disconnected, SeqKind, Subscribed
from chrono_sim.client.ledger import FaultKind, FaultLedger, Finding
from chrono_sim.errors import AuthenticationError
from tests.support.feed_events import T0, URL, timed_price


def ledger_with(**counts: int) -> FaultLedger:
    ledger = FaultLedger()
    for name, count in counts.items():
        setattr(ledger, name, count)
    return ledger


# --- one line per finding


def test_a_gap_keeps_tails_old_wording() -> None:
    finding = Finding(FaultKind.MISSED, "BTC/USD", 9, missed=3)
    assert describe_finding(finding) == "missed 3 update(s) of BTC/USD before seq 9"


def test_a_gap_across_a_reconnect_says_so() -> None:
    finding = Finding(FaultKind.MISSED, "BTC/USD", 9, missed=3, across_reconnect=True)
    assert describe_finding(finding) == (
        "missed 3 update(s) of BTC/USD before seq 9 (published while reconnecting)"
    )


def test_the_summary_says_how_many_missed_went_out_while_reconnecting() -> None:
    line = summary(ledger_with(updates=10, missed=5, missed_reconnecting=4))
    assert line.startswith("summary: 10 updates; missed 5 (4 while reconnecting), duplicates 0")


def test_each_seq_fault_names_the_symbol_and_seq() -> None:
    assert describe_finding(Finding(FaultKind.DUPLICATE, "BTC/USD", 7)) == (
        "duplicate: BTC/USD seq 7 received again"
    )
    assert describe_finding(Finding(FaultKind.OUT_OF_ORDER, "BTC/USD", 6)) == (
        "out of order: BTC/USD seq 6 arrived after a later one"
    )
    assert describe_finding(Finding(FaultKind.RESET, "BTC/USD", 1)) == (
        "reset: BTC/USD seq 1 numbers from the start again (server restarted?)"
    )


def test_late_says_by_how_much_in_milliseconds_below_a_second() -> None:
    assert describe_finding(Finding(FaultKind.LATE, "ETH/USD", 4, late=0.25)) == (
        "late: ETH/USD seq 4 arrived 0.250s after its timestamp"
    )
    assert describe_finding(Finding(FaultKind.LATE, "ETH/USD", 4, late=2.46)) == (
        "late: ETH/USD seq 4 arrived 2.5s after its timestamp"
    )


def test_a_stall_says_how_long_the_silence_and_what_ended_it() -> None:
    ended_by_update = Finding(FaultKind.STALL, "BTC/USD", 12, late=1.9, silence=2.0)
    assert describe_finding(ended_by_update) == (
        "stall: 2.0s of silence, then BTC/USD seq 12 1.9s late"
    )
    ended_by_heartbeat = Finding(FaultKind.STALL, late=1.5, silence=1.6)
    assert describe_finding(ended_by_heartbeat) == (
        "stall: 1.6s of silence, then a heartbeat 1.5s late"
    )


def test_a_disconnect_has_no_line_of_its_own_tail_already_says_it() -> None:
    assert describe_finding(Finding(FaultKind.DISCONNECT, code=1006)) is None


# --- the status line


def test_status_shows_only_the_kinds_seen() -> None:
    assert status_parts(FaultLedger()) == []
    ledger = ledger_with(duplicates=3, late=1_234, stalls=1)
    ledger.disconnects.update({1006: 2})
    assert status_parts(ledger) == ["dup 3", "late 1,234", "stalls 1", "disconnects 2"]
    assert status_parts(ledger_with(out_of_order=2, resets=1)) == ["out of order 2", "resets 1"]


# --- the summary


def test_the_summary_lists_every_kind_seen_or_not() -> None:
    assert summary(FaultLedger()) == (
        "summary: 0 updates; missed 0, duplicates 0, out of order 0, late 0, stalls 0, "
        "disconnects 0"
    )


def test_the_summary_counts_disconnects_by_close_code() -> None:
    ledger = ledger_with(updates=1_234, missed=12, duplicates=3, out_of_order=2, late=5, stalls=1)
    ledger.disconnects.update({1006: 2, 1001: 1, None: 1})
    assert summary(ledger) == (
        "summary: 1,234 updates; missed 12, duplicates 3, out of order 2, late 5, stalls 1, "
        "disconnects 4 (1001 x1, 1006 x2, no code x1)"
    )


def test_the_summary_mentions_resets_only_when_there_were_some() -> None:
    assert "resets 2, " in summary(ledger_with(updates=1, resets=2))
    assert summary(ledger_with(updates=1)).startswith("summary: 1 update; missed 0,")


# --- in a pipe


def run_sink(*events: object, error: BaseException | None = None) -> tuple[list[str], list[str]]:
    out, err = io.StringIO(), io.StringIO()
    sink = JsonLinesSink(out, err, faults=FaultLedger(late_after=0.1))
    sink.__enter__()
    for event in events:
        sink.handle(event)  # type: ignore[arg-type]
    sink.__exit__(type(error) if error else None, error, None)  # as `with` would
    return out.getvalue().splitlines(), err.getvalue().splitlines()


def test_in_a_pipe_each_fault_is_a_stderr_line_and_the_end_a_summary() -> None:
    out, err = run_sink(
        Connected(URL, 0),
        Subscribed(("BTC/USD",)),
        timed_price(T0, T0 + 0.01, seq=1),
        timed_price(T0, T0 + 0.01, seq=1, kind=SeqKind.DUPLICATE),
        timed_price(T0, T0 + 0.5, seq=3, kind=SeqKind.GAP, missed=1),
        Disconnected(1006, "closed 1006"),
    )
    assert len(out) == 3
    assert err[2:] == [
        "chrono tail: duplicate: BTC/USD seq 1 received again",
        "chrono tail: missed 1 update(s) of BTC/USD before seq 3",
        "chrono tail: late: BTC/USD seq 3 arrived 0.500s after its timestamp",
        "chrono tail: disconnected: closed 1006",
        "chrono tail: summary: 3 updates; missed 1, duplicates 1, out of order 0, late 1, "
        "stalls 0, disconnects 1 (1006 x1)",
    ]


def test_no_summary_when_refused_or_never_connected() -> None:
    refused = run_sink(Connected(URL, 0), error=AuthenticationError("unknown API key"))
    assert not any("summary" in line for line in refused[1])
    never = run_sink(Disconnected(None, "connection refused"))
    assert not any("summary" in line for line in never[1])
