"""The faults a client sees on its feed, counted by kind from its events."""

from __future__ import annotations

from chrono_sim.client import Connected, Disconnected, Heartbeat, Price, SeqKind, Subscribed
from chrono_sim.client.ledger import FaultKind, FaultLedger, Finding
from chrono_sim.protocol.messages import PriceUpdate
from chrono_sim.protocol.timestamps import format_timestamp
from tests.support.feed_events import T0, URL, timed_price


def heartbeat(sent_at: float, received_at: float) -> Heartbeat:
    return Heartbeat(received_at, format_timestamp(sent_at))


def connected_ledger(**thresholds: float) -> FaultLedger:
    ledger = FaultLedger(**thresholds)
    ledger.observe(Connected(URL, 0), T0)
    ledger.observe(Subscribed(("BTC/USD",)), T0)
    return ledger


def kinds(findings: list[Finding]) -> list[FaultKind]:
    return [finding.kind for finding in findings]


def test_an_update_on_time_and_in_order_shows_no_fault() -> None:
    ledger = connected_ledger()
    assert ledger.observe(timed_price(T0, T0 + 0.01), T0 + 0.01) == []
    assert (ledger.updates, ledger.late, ledger.stalls, ledger.missed) == (1, 0, 0, 0)


def test_seq_faults_are_counted_from_the_clients_classification() -> None:
    ledger = connected_ledger()
    at = T0 + 0.01
    assert kinds(ledger.observe(timed_price(T0, at, seq=5, kind=SeqKind.GAP, missed=3), at)) == [
        FaultKind.MISSED
    ]
    ledger.observe(timed_price(T0, at, seq=5, kind=SeqKind.DUPLICATE), at)
    ledger.observe(timed_price(T0, at, seq=3, kind=SeqKind.OUT_OF_ORDER, missed=-1), at)
    ledger.observe(timed_price(T0, at, seq=1, kind=SeqKind.RESET), at)
    ledger.observe(timed_price(T0, at, seq=1, kind=SeqKind.SNAPSHOT, snapshot=True), at)
    assert (ledger.missed, ledger.duplicates, ledger.out_of_order, ledger.resets) == (2, 1, 1, 1)
    assert ledger.updates == 5


def test_a_missed_finding_says_how_many_before_which_seq() -> None:
    ledger = connected_ledger()
    [finding] = ledger.observe(timed_price(T0, T0, seq=9, kind=SeqKind.GAP, missed=4), T0)
    assert (finding.symbol, finding.seq, finding.missed) == ("BTC/USD", 9, 4)


def test_an_update_is_late_from_the_threshold_on() -> None:
    ledger = connected_ledger(late_after=0.1)
    assert ledger.observe(timed_price(T0, T0 + 0.099), T0 + 0.099) == []
    [late] = ledger.observe(timed_price(T0, T0 + 0.1), T0 + 0.1)
    assert late.kind is FaultKind.LATE
    assert abs(late.late - 0.1) < 1e-6
    assert ledger.late == 1


def test_a_snapshot_is_old_by_design_not_late() -> None:
    ledger = connected_ledger(late_after=0.1)
    snapshot = timed_price(T0, T0 + 60, kind=SeqKind.SNAPSHOT, snapshot=True)
    assert ledger.observe(snapshot, T0 + 60) == []
    assert ledger.late == 0


def test_silence_ended_by_a_late_frame_is_one_stall() -> None:
    ledger = connected_ledger(late_after=0.1, stall_after=1.0)
    ledger.observe(timed_price(T0, T0), T0)
    burst = [timed_price(T0 + 0.1 * n, T0 + 2.0, seq=1 + n) for n in range(1, 4)]
    found = [ledger.observe(update, T0 + 2.0) for update in burst]
    assert kinds(found[0]) == [FaultKind.STALL, FaultKind.LATE]
    assert (found[0][0].silence, found[0][0].seq) == (2.0, 2)
    assert [kinds(f) for f in found[1:]] == [[FaultKind.LATE], [FaultKind.LATE]]
    assert (ledger.stalls, ledger.late) == (1, 3)


def test_a_quiet_market_is_not_a_stall() -> None:
    ledger = connected_ledger(stall_after=1.0)
    ledger.observe(timed_price(T0, T0), T0)
    assert ledger.observe(timed_price(T0 + 5.0, T0 + 5.01), T0 + 5.01) == []
    assert ledger.stalls == 0


def test_a_late_frame_without_silence_before_it_is_not_a_stall() -> None:
    ledger = connected_ledger(stall_after=1.0)
    ledger.observe(timed_price(T0 + 1.9, T0 + 2.0), T0 + 2.0)
    assert kinds(ledger.observe(timed_price(T0, T0 + 2.1), T0 + 2.1)) == [FaultKind.LATE]
    assert ledger.stalls == 0


def test_a_late_heartbeat_can_end_a_stall_too() -> None:
    ledger = connected_ledger(stall_after=1.0)
    assert kinds(ledger.observe(heartbeat(T0 + 0.1, T0 + 1.5), T0 + 1.5)) == [FaultKind.STALL]
    assert ledger.late == 0  # late counts updates only


def test_silence_counts_from_the_connections_start_not_across_an_outage() -> None:
    ledger = connected_ledger(stall_after=1.0)
    ledger.observe(Disconnected(1006, "closed 1006"), T0 + 0.5)
    ledger.observe(Connected(URL, 1), T0 + 10.0)
    assert ledger.observe(timed_price(T0 + 10.55, T0 + 10.6), T0 + 10.6) == []
    assert kinds(ledger.observe(timed_price(T0 + 10.7, T0 + 12.0), T0 + 12.0)) == [
        FaultKind.STALL, FaultKind.LATE,
    ]  # fmt: skip


def test_disconnects_are_counted_per_close_code() -> None:
    ledger = FaultLedger()
    for code in (1006, 1006, 1001):
        ledger.observe(Connected(URL, 0), T0)
        [finding] = ledger.observe(Disconnected(code, f"closed {code}"), T0)
        assert finding == Finding(FaultKind.DISCONNECT, code=code)
    assert ledger.disconnects == {1006: 2, 1001: 1}
    assert ledger.total_disconnects == 3


def test_a_failed_attempt_to_connect_is_not_a_disconnect() -> None:
    ledger = FaultLedger()
    assert ledger.observe(Disconnected(None, "connection refused"), T0) == []
    ledger.observe(Connected(URL, 0), T0)
    ledger.observe(Disconnected(1006, "closed 1006"), T0)
    ledger.observe(Disconnected(None, "connection refused"), T0 + 1)
    assert ledger.disconnects == {1006: 1}


def test_an_unreadable_timestamp_is_never_late() -> None:
    ledger = connected_ledger()
    update = PriceUpdate(symbol="BTC/USD", price=1.0, volume=1.0, timestamp="soon", source="x")
    assert ledger.observe(Price(update, "{}", T0 + 100, 0, SeqKind.UNSEQUENCED), T0 + 100) == []


def test_a_timestamp_without_a_time_zone_is_unreadable_not_local_time() -> None:
    ledger = connected_ledger()
    naive = format_timestamp(T0).removesuffix("Z")
    update = PriceUpdate(symbol="BTC/USD", price=1.0, volume=1.0, timestamp=naive, source="x")
    assert ledger.observe(Price(update, "{}", T0 + 100, 0, SeqKind.UNSEQUENCED), T0 + 100) == []


def test_missed_updates_published_while_reconnecting_are_counted_apart() -> None:
    ledger = connected_ledger()
    ledger.observe(
        timed_price(T0, T0, seq=5, kind=SeqKind.GAP, missed=3, across_reconnect=True), T0
    )
    ledger.observe(timed_price(T0, T0, seq=7, kind=SeqKind.GAP, missed=1), T0)
    assert (ledger.missed, ledger.missed_reconnecting) == (4, 3)
