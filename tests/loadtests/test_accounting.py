"""The locust suite's loss accounting (loadtests/accounting.py): every loss explained or flagged."""

from __future__ import annotations

import pytest

from chrono_sim.client.gaps import SeqKind, SeqTracker
from loadtests.accounting import FeedTally, ServerLedger, account


def _feed(
    tally: FeedTally, updates: list[tuple[str, object]], *, reconnect_after: int | None = None
) -> list[SeqKind]:
    tracker = SeqTracker()
    kinds = []
    for index, (symbol, seq) in enumerate(updates):
        if index == reconnect_after:
            tracker.new_connection()
        kinds.append(tally.observe(tracker, symbol, seq).kind)
    return kinds


def _metrics(conflated: int = 0, **faults: int) -> str:
    lines = ["# TYPE chrono_conflated_updates_total counter"]
    lines.append(f"chrono_conflated_updates_total {conflated}.0")
    lines.append("# TYPE chrono_faults_injected_total counter")
    lines += [f'chrono_faults_injected_total{{kind="{k}"}} {v}.0' for k, v in faults.items()]
    return "\n".join(lines) + "\n"


# --- what feed users see ---


def test_the_tally_counts_seq_gaps_per_symbol() -> None:
    tally = FeedTally()
    _feed(tally, [("BTC/USD", 7), ("ETH/USD", 1), ("BTC/USD", 8), ("BTC/USD", 12)])
    assert (tally.received, tally.missed) == (4, 3)
    assert "4 updates received, 3 missed (42.86%)" in tally.summary()


def test_updates_without_seq_are_counted_as_unmeasurable() -> None:
    tally = FeedTally()
    assert _feed(tally, [("BTC/USD", None), ("BTC/USD", True)]) == [SeqKind.UNSEQUENCED] * 2
    assert (tally.received, tally.unsequenced, tally.missed) == (2, 2, 0)
    assert "without seq" in tally.summary()


def test_repeats_and_swaps_are_counted_and_a_filled_gap_is_not_missed() -> None:
    tally = FeedTally()
    _feed(tally, [("BTC/USD", 1), ("BTC/USD", 3), ("BTC/USD", 2), ("BTC/USD", 2)])
    assert (tally.missed, tally.out_of_order, tally.duplicates) == (0, 1, 1)


def test_a_gap_on_a_connections_first_update_was_published_while_away() -> None:
    tally = FeedTally()
    _feed(tally, [("BTC/USD", 1), ("BTC/USD", 9)], reconnect_after=1)
    assert (tally.missed, tally.missed_away) == (0, 7)
    assert "7 published while reconnecting" in tally.summary()


# --- the server's ledger ---


def test_the_ledger_reads_faults_and_conflation_from_the_metrics() -> None:
    ledger = ServerLedger.from_metrics(_metrics(conflated=4, drop=10, duplicate=2))
    assert ledger == ServerLedger({"drop": 10, "duplicate": 2}, 4)


def test_metrics_without_chrono_counters_are_refused() -> None:
    with pytest.raises(ValueError, match="not a Chrono server"):
        ServerLedger.from_metrics("# TYPE up gauge\nup 1.0\n")


# --- the reconciliation ---


def test_losses_within_what_the_server_did_are_accounted_for() -> None:
    tally = FeedTally(missed=9, duplicates=2, out_of_order=1)
    tally.disconnects[1006] += 3
    ledger = ServerLedger({"drop": 8, "duplicate": 2, "reorder": 1, "disconnect": 3}, 2)
    result = account(tally, ledger)
    assert result.ok
    assert result.lines == [
        "accounted missed updates: 9 seen; the server dropped 8 and conflated 2; "
        "1 not seen: cut off by a disconnect or the end",
        "accounted duplicates: 2 seen; the server duplicated 2",
        "accounted out of order: 1 seen; the server reordered 1",
        "accounted 1006 disconnects: 3 seen; the server dropped 3 connections",
    ]


def test_a_gap_the_server_did_not_make_is_unaccounted() -> None:
    result = account(FeedTally(missed=5), ServerLedger({"drop": 4}, 0))
    assert not result.ok
    assert "UNACCOUNTED missed updates: clients saw 5; the server dropped 4 and conflated 0" in (
        result.lines
    )


@pytest.mark.parametrize(
    ("tally", "kind"),
    [
        (FeedTally(duplicates=1), "duplicates"),
        (FeedTally(out_of_order=1), "out of order"),
    ],
)
def test_repeats_or_swaps_beyond_the_injected_are_unaccounted(tally: FeedTally, kind: str) -> None:
    result = account(tally, ServerLedger({}, 0))
    assert not result.ok
    assert any(line.startswith(f"UNACCOUNTED {kind}") for line in result.lines)


def test_a_close_no_fault_makes_is_unaccounted() -> None:
    tally = FeedTally()
    tally.disconnects[1011] += 1
    result = account(tally, ServerLedger({"disconnect": 5}, 0))
    assert not result.ok
    assert "UNACCOUNTED disconnects: 1011 x1 (no fault closes that way)" in result.lines


def test_more_1006_drops_than_injected_are_unaccounted() -> None:
    tally = FeedTally()
    tally.disconnects[1006] += 2
    assert not account(tally, ServerLedger({"disconnect": 1}, 0)).ok


def test_injected_faults_a_client_could_not_see_are_reported_not_failed() -> None:
    result = account(FeedTally(missed=1), ServerLedger({"drop": 3}, 0))
    assert result.ok
    assert any(
        line.endswith("; 2 not seen: cut off by a disconnect or the end") for line in result.lines
    )


def test_a_snapshot_ends_the_reconnect_gap_and_is_not_a_live_update() -> None:
    tally, tracker = FeedTally(), SeqTracker()
    tally.observe(tracker, "BTC/USD", 1)
    tracker.new_connection()
    tally.observe(tracker, "BTC/USD", 5, snapshot=True)  # 2-4 went out while away
    tally.observe(tracker, "BTC/USD", 7)  # 6 dropped on this connection
    assert (tally.missed_away, tally.missed) == (3, 1)
    assert (tally.received, tally.snapshots) == (2, 1)


def test_a_snapshot_repeating_the_last_update_seen_is_no_duplicate() -> None:
    tally, tracker = FeedTally(), SeqTracker()
    tally.observe(tracker, "BTC/USD", 4)
    tracker.new_connection()
    tally.observe(tracker, "BTC/USD", 4, snapshot=True)
    assert (tally.duplicates, tally.resets, tally.missed_away) == (0, 0, 0)
