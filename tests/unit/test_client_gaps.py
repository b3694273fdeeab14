"""Missed updates, counted from each symbol's seq."""

from __future__ import annotations

from chrono_sim.client import SeqTracker


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
