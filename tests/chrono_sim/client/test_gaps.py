"""Each update classified by its symbol's seq: in order, missed, duplicate, out of order, reset."""

from __future__ import annotations

from chrono_sim.client import SeqKind, SeqTracker
from chrono_sim.client.gaps import SeqVerdict


def test_consecutive_seqs_miss_nothing() -> None:
    tracker = SeqTracker()
    assert [tracker.observe("BTC/USD", seq) for seq in (1, 2, 3)] == [0, 0, 0]


def test_a_jump_counts_the_skipped_updates() -> None:
    tracker = SeqTracker()
    tracker.observe("BTC/USD", 4)
    assert tracker.observe("BTC/USD", 9) == 4
    assert tracker.missed("BTC/USD") == 4


def test_the_first_update_seen_is_not_a_gap() -> None:
    assert SeqTracker().observe("BTC/USD", 500) == 0


def test_symbols_are_counted_separately() -> None:
    tracker = SeqTracker()
    tracker.observe("BTC/USD", 1)
    tracker.observe("ETH/USD", 1)
    tracker.observe("BTC/USD", 3)
    assert (tracker.missed("BTC/USD"), tracker.missed("ETH/USD"), tracker.total_missed) == (1, 0, 1)


def test_a_repeated_seq_is_not_a_loss() -> None:
    tracker = SeqTracker()
    tracker.observe("BTC/USD", 5)
    assert tracker.observe("BTC/USD", 5) == 0  # a snapshot repeating the last update


def test_a_seq_that_restarts_is_a_reset_not_a_loss() -> None:
    tracker = SeqTracker()
    tracker.observe("BTC/USD", 80)
    assert tracker.observe("BTC/USD", 1) == 0
    assert tracker.observe("BTC/USD", 3) == 1


def kinds(tracker: SeqTracker, seqs: list[int], symbol: str = "BTC/USD") -> list[SeqKind]:
    return [tracker.classify(symbol, seq).kind for seq in seqs]


def test_a_seq_received_before_is_a_duplicate_not_a_loss_nor_a_reset() -> None:
    tracker = SeqTracker()
    assert kinds(tracker, [5, 6, 6, 5, 7]) == [
        SeqKind.IN_ORDER, SeqKind.IN_ORDER, SeqKind.DUPLICATE, SeqKind.DUPLICATE, SeqKind.IN_ORDER,
    ]  # fmt: skip
    assert tracker.missed("BTC/USD") == 0


def test_a_missed_seq_arriving_later_is_out_of_order_and_no_longer_missed() -> None:
    tracker = SeqTracker()
    tracker.observe("BTC/USD", 1)
    assert tracker.classify("BTC/USD", 3) == SeqVerdict(SeqKind.GAP, 1)
    assert tracker.classify("BTC/USD", 2) == SeqVerdict(SeqKind.OUT_OF_ORDER, -1)
    assert tracker.missed("BTC/USD") == 0
    assert tracker.classify("BTC/USD", 4).kind is SeqKind.IN_ORDER


def test_an_out_of_order_seq_arriving_twice_is_then_a_duplicate() -> None:
    tracker = SeqTracker()
    assert kinds(tracker, [1, 3, 2, 2]) == [
        SeqKind.IN_ORDER, SeqKind.GAP, SeqKind.OUT_OF_ORDER, SeqKind.DUPLICATE,
    ]  # fmt: skip


def test_the_one_before_the_first_seen_arriving_just_after_it_is_out_of_order() -> None:
    tracker = SeqTracker()  # joined mid-stream, and the first two came swapped
    assert kinds(tracker, [41, 40, 42, 40]) == [
        SeqKind.IN_ORDER, SeqKind.OUT_OF_ORDER, SeqKind.IN_ORDER, SeqKind.DUPLICATE,
    ]  # fmt: skip
    assert tracker.missed("BTC/USD") == 0


def test_numbering_from_1_again_is_a_reset_even_just_after_the_first_seen() -> None:
    tracker = SeqTracker()
    assert kinds(tracker, [2, 1]) == [SeqKind.IN_ORDER, SeqKind.RESET]


def test_a_snapshot_repeating_the_last_seq_is_never_a_duplicate() -> None:
    tracker = SeqTracker()
    tracker.observe("BTC/USD", 7)
    assert tracker.classify("BTC/USD", 7, snapshot=True) == SeqVerdict(SeqKind.SNAPSHOT)
    assert tracker.classify("BTC/USD", 7).kind is SeqKind.DUPLICATE


def test_a_snapshot_after_a_gap_counts_the_gap() -> None:
    tracker = SeqTracker()
    tracker.observe("BTC/USD", 7)
    assert tracker.classify("BTC/USD", 10, snapshot=True) == SeqVerdict(SeqKind.GAP, 2)


def test_a_seq_older_than_the_window_is_a_reset() -> None:
    tracker = SeqTracker(window=4)
    tracker.observe("BTC/USD", 1)
    tracker.observe("BTC/USD", 10)  # 2-9 missed; only 6-9 remembered
    assert tracker.classify("BTC/USD", 7).kind is SeqKind.OUT_OF_ORDER
    assert tracker.classify("BTC/USD", 3).kind is SeqKind.RESET
    assert tracker.missed("BTC/USD") == 7


def test_outstanding_seqs_stay_within_the_window() -> None:
    tracker = SeqTracker(window=4)
    for seq in range(1, 200, 2):  # every other one missed
        tracker.observe("BTC/USD", seq)
    gaps = tracker._symbols["BTC/USD"]
    assert gaps.outstanding == {196, 198}
    huge = tracker.classify("BTC/USD", 10**9)
    assert huge.missed == 10**9 - 200
    assert len(tracker._symbols["BTC/USD"].outstanding) == 4


def test_a_new_connections_first_seq_at_or_below_the_last_is_a_restart_not_a_duplicate() -> None:
    tracker = SeqTracker()
    kinds(tracker, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    tracker.new_connection()
    assert kinds(tracker, [7, 8, 10]) == [SeqKind.RESET, SeqKind.IN_ORDER, SeqKind.GAP]
    assert tracker.missed("BTC/USD") == 1


def test_a_new_connections_first_seq_above_the_last_is_a_gap_as_usual() -> None:
    tracker = SeqTracker()
    kinds(tracker, [1, 2, 3])
    tracker.new_connection()
    assert kinds(tracker, [6, 5, 7]) == [SeqKind.GAP, SeqKind.OUT_OF_ORDER, SeqKind.IN_ORDER]


def test_only_the_first_update_after_reconnecting_can_be_a_restart() -> None:
    tracker = SeqTracker()
    kinds(tracker, [1, 2, 3])
    tracker.new_connection()
    assert kinds(tracker, [4, 4]) == [SeqKind.IN_ORDER, SeqKind.DUPLICATE]


def test_a_snapshot_on_a_new_connection_does_not_use_up_the_restart_check() -> None:
    tracker = SeqTracker()
    kinds(tracker, [1, 2, 3])
    tracker.new_connection()
    assert tracker.classify("BTC/USD", 3, snapshot=True).kind is SeqKind.SNAPSHOT
    assert kinds(tracker, [2]) == [SeqKind.RESET]


def test_a_gap_on_a_new_connections_first_update_spans_the_reconnect() -> None:
    tracker = SeqTracker()
    kinds(tracker, [1, 2])
    tracker.new_connection()
    assert tracker.classify("BTC/USD", 6).across_reconnect  # 3-5 went out while away
    assert not tracker.classify("BTC/USD", 8).across_reconnect  # 7: lost on this connection


def test_a_snapshot_is_a_new_connections_first_update_too() -> None:
    tracker = SeqTracker()
    kinds(tracker, [1, 2])
    tracker.new_connection()
    assert tracker.classify("BTC/USD", 5, snapshot=True).across_reconnect
    assert not tracker.classify("BTC/USD", 7).across_reconnect


def test_gaps_on_the_first_connection_never_span_a_reconnect() -> None:
    tracker = SeqTracker()
    assert not tracker.classify("BTC/USD", 1).across_reconnect
    assert not tracker.classify("BTC/USD", 5).across_reconnect
