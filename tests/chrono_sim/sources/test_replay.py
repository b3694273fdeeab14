"""Replay: a recorded tape played against the manual clock, at any speed, once or in a loop."""

from __future__ import annotations

import json
import math
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chrono_sim.datafiles.tape import Tape
from chrono_sim.errors import ConfigError
from chrono_sim.protocol.clock import ManualClock
from chrono_sim.protocol.hub import Hub
from chrono_sim.protocol.quote import Quote
from chrono_sim.sources import CLIENT_PACED_BATCH, ReplaySource
from chrono_sim.sources.replay import PACED_BATCH, loop_period_ms
from tests.support.tapes import T0, evenly, tape_of


def play(source: ReplaySource, clock: ManualClock) -> list[tuple[float, Quote]]:
    """Advance the clock to each due moment in turn; every quote with the monotonic it came at."""
    played: list[tuple[float, Quote]] = []
    while (due := source.next_due()) is not None:
        clock.advance(max(0.0, due - clock.monotonic()))
        played.extend((clock.monotonic(), quote) for quote in source.pop_due(clock.monotonic()))
    return played


def play_for(source: ReplaySource, clock: ManualClock, count: int) -> list[tuple[float, Quote]]:
    """Like `play`, for the first `count` quotes of a source that may loop for ever."""
    played: list[tuple[float, Quote]] = []
    while len(played) < count and (due := source.next_due()) is not None:
        clock.advance(max(0.0, due - clock.monotonic()))
        played.extend((clock.monotonic(), quote) for quote in source.pop_due(clock.monotonic()))
    return played[:count]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(start_monotonic=1000.0)


# --- the schedule -------------------------------------------------------------


def test_the_first_update_is_due_when_the_replay_starts(clock: ManualClock) -> None:
    source = ReplaySource(evenly(3, 1000), clock=clock)

    assert source.next_due() == 1000.0


def test_the_schedule_starts_when_the_source_is_first_asked(clock: ManualClock) -> None:
    """A server reads the file, then binds its sockets: pacing starts with the feed."""
    source = ReplaySource(evenly(3, 1000), clock=clock)
    clock.advance(30.0)

    assert source.next_due() == 1030.0


def test_recorded_gaps_are_kept_at_speed_one(clock: ManualClock) -> None:
    tape = tape_of([(T0, "BTC/USD", 1.0), (T0 + 1500, "BTC/USD", 2.0), (T0 + 4000, "BTC/USD", 3.0)])

    played = play(ReplaySource(tape, clock=clock), clock)

    assert [at for at, _ in played] == [1000.0, 1001.5, 1004.0]


def test_gaps_are_divided_by_the_speed(clock: ManualClock) -> None:
    tape = tape_of(
        [(T0, "BTC/USD", 1.0), (T0 + 60_000, "BTC/USD", 2.0), (T0 + 90_000, "BTC/USD", 3.0)]
    )

    played = play(ReplaySource(tape, clock=clock, speed=60.0), clock)

    assert [at for at, _ in played] == pytest.approx([1000.0, 1001.0, 1001.5])


def test_nothing_is_returned_before_it_is_due(clock: ManualClock) -> None:
    source = ReplaySource(evenly(2, 1000), clock=clock)
    source.pop_due(clock.monotonic())
    clock.advance(0.999)

    assert source.pop_due(clock.monotonic()) == []


def test_everything_due_is_returned_at_once(clock: ManualClock) -> None:
    source = ReplaySource(evenly(10, 1000), clock=clock)
    source.next_due()
    clock.advance(4.5)

    assert [quote.price for quote in source.pop_due(clock.monotonic())] == [1, 2, 3, 4, 5]
    assert source.next_due() == 1005.0


def test_updates_at_the_same_instant_are_due_together(clock: ManualClock) -> None:
    tape = tape_of([(T0, "BTC/USD", 1.0), (T0, "ETH/USD", 2.0), (T0 + 10, "BTC/USD", 3.0)])
    source = ReplaySource(tape, clock=clock)

    assert [quote.symbol for quote in source.pop_due(clock.monotonic())] == ["BTC/USD", "ETH/USD"]


def test_an_hour_long_tape_plays_through_in_milliseconds(clock: ManualClock) -> None:
    tape = evenly(7200, 500, ["BTC/USD", "ETH/USD", "SOL/USD"])
    started = time.perf_counter()

    played = play(ReplaySource(tape, clock=clock), clock)

    assert time.perf_counter() - started < 1.0
    assert len(played) == 7200
    assert clock.monotonic() - 1000.0 == pytest.approx(3599.5)
    assert [quote.price for _, quote in played] == [1.0 + i for i in range(7200)]


def test_a_non_looping_replay_ends_after_its_last_update(clock: ManualClock) -> None:
    source = ReplaySource(evenly(3, 1000), clock=clock)
    play(source, clock)

    assert source.next_due() is None
    clock.advance(3600.0)
    assert source.pop_due(clock.monotonic()) == []


def test_quotes_carry_the_recorded_symbol_price_volume_and_exchange(clock: ManualClock) -> None:
    tape = tape_of(
        [(T0, "ETH/USD", 3400.25, "kraken", 15e9), (T0 + 1, "BTC/USD", 95000.5, "okx", None)]
    )

    quotes = [quote for _, quote in play(ReplaySource(tape, clock=clock), clock)]

    assert [(q.symbol, q.price, q.volume, q.exchange) for q in quotes] == [
        ("ETH/USD", 3400.25, 15e9, "kraken"),
        ("BTC/USD", 95000.5, None, "okx"),
    ]


# --- timestamps -----------------------------------------------------------------


def test_rebased_timestamps_are_the_wall_time_at_which_each_update_falls_due(
    clock: ManualClock,
) -> None:
    tape = tape_of([(T0 - 86_400_000 + ms, "BTC/USD", 1.0) for ms in (0, 250, 1250, 7000)])

    played = play(ReplaySource(tape, clock=clock, speed=2.0), clock)

    start_wall = clock.time() - (clock.monotonic() - 1000.0)
    assert [quote.time for _, quote in played] == pytest.approx(
        [start_wall + (at - 1000.0) for at, _ in played]
    )
    assert [quote.time - start_wall for _, quote in played] == pytest.approx(
        [0.0, 0.125, 0.625, 3.5]
    )


def test_rebased_timestamps_are_not_those_of_the_file(clock: ManualClock) -> None:
    yesterday = T0 - 86_400_000
    source = ReplaySource(tape_of([(yesterday, "BTC/USD", 1.0)]), clock=clock)

    assert source.pop_due(clock.monotonic())[0].time == clock.time()


def test_kept_timestamps_are_the_recorded_ones(clock: ManualClock) -> None:
    tape = tape_of([(T0 + ms, "BTC/USD", 1.0) for ms in (0, 123, 4567)])

    played = play(ReplaySource(tape, clock=clock, speed=10.0, keep_timestamps=True), clock)

    assert [quote.time for _, quote in played] == [(T0 + ms) / 1000 for ms in (0, 123, 4567)]


# --- loops ----------------------------------------------------------------------


def test_the_loop_period_is_the_span_plus_one_average_gap() -> None:
    assert loop_period_ms(evenly(4, 1000).time_ms) == 4000
    assert (
        loop_period_ms(tape_of([(T0, "A", 1.0), (T0 + 10, "A", 1.0), (T0 + 30, "A", 1.0)]).time_ms)
        == 45
    )


@pytest.mark.parametrize(
    "tape",
    [evenly(1, 1000), tape_of([(T0, "BTC/USD", 1.0), (T0, "ETH/USD", 2.0)])],
    ids=["one update", "one instant"],
)
def test_a_tape_without_a_span_loops_once_a_second(clock: ManualClock, tape: Tape) -> None:
    source = ReplaySource(tape, clock=clock, loop=True)

    played = play_for(source, clock, 3 * len(tape))

    assert sorted({at for at, _ in played}) == [1000.0, 1001.0, 1002.0]


def test_a_loop_starts_again_one_average_gap_after_the_last_update(clock: ManualClock) -> None:
    played = play_for(ReplaySource(evenly(4, 1000), clock=clock, loop=True), clock, 6)

    assert [at for at, _ in played] == [1000.0, 1001.0, 1002.0, 1003.0, 1004.0, 1005.0]
    assert [quote.price for _, quote in played] == [1.0, 2.0, 3.0, 4.0, 1.0, 2.0]


def test_a_loop_at_speed_divides_the_period_too(clock: ManualClock) -> None:
    played = play_for(ReplaySource(evenly(4, 1000), clock=clock, speed=4.0, loop=True), clock, 9)

    assert [at for at, _ in played][-1] == pytest.approx(1002.0)


def test_rebased_time_keeps_moving_forward_across_loops(clock: ManualClock) -> None:
    played = play_for(ReplaySource(evenly(3, 500), clock=clock, loop=True), clock, 10)

    times = [quote.time for _, quote in played]
    assert times == sorted(times)
    assert len(set(times)) == len(times)
    assert times[-1] - times[0] == pytest.approx(4.5)


def test_kept_timestamps_move_forward_by_whole_periods_on_each_loop(clock: ManualClock) -> None:
    source = ReplaySource(evenly(3, 500), clock=clock, loop=True, keep_timestamps=True)

    times = [quote.time for _, quote in play_for(source, clock, 7)]

    first = T0 / 1000
    assert times == [first + s for s in (0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0)]


def test_seq_keeps_growing_across_loops(clock: ManualClock) -> None:
    hub = Hub()
    source = ReplaySource(evenly(4, 250, ["BTC/USD", "ETH/USD"]), clock=clock, loop=True)

    frames = [hub.publish(quote) for _, quote in play_for(source, clock, 12)]

    seqs = [json.loads(frame)["seq"] for frame in frames if b"BTC/USD" in frame]
    assert seqs == [1, 2, 3, 4, 5, 6]


def test_a_loop_that_falls_a_whole_period_behind_skips_the_missed_passes(
    clock: ManualClock,
) -> None:
    """After a suspend, a live feed goes on from now rather than bursting hours of backlog."""
    source = ReplaySource(evenly(4, 1000), clock=clock, loop=True)  # a 4 s period
    source.pop_due(clock.monotonic())
    clock.advance(3600.0 + 1.5)

    caught_up = source.pop_due(clock.monotonic())

    assert len(caught_up) <= 2 * 4
    assert source.next_due() == pytest.approx(1000.0 + 3602.0)


def test_a_loop_that_falls_behind_keeps_time_moving_forward(clock: ManualClock) -> None:
    source = ReplaySource(evenly(4, 1000), clock=clock, loop=True, keep_timestamps=True)
    before = source.pop_due(clock.monotonic())
    clock.advance(3600.0 + 1.5)

    after = source.pop_due(clock.monotonic())

    assert after[0].time > before[-1].time
    assert after[-1].time == pytest.approx(T0 / 1000 + 3601.0)


# --- max speed --------------------------------------------------------------------


def test_at_max_speed_the_next_update_is_always_due_now(clock: ManualClock) -> None:
    source = ReplaySource(evenly(100, 3_600_000), clock=clock, speed=None)
    source.pop_due(clock.monotonic())
    clock.advance(0.001)

    assert source.next_due() == clock.monotonic()


def test_at_max_speed_a_call_returns_at_most_one_batch(clock: ManualClock) -> None:
    source = ReplaySource(evenly(200, 1000), clock=clock, speed=None)

    sizes = [len(source.pop_due(clock.monotonic())) for _ in range(4)]

    assert sizes == [CLIENT_PACED_BATCH, CLIENT_PACED_BATCH, CLIENT_PACED_BATCH, 8]
    assert source.next_due() is None


def test_at_max_speed_the_whole_tape_plays_without_the_clock_moving(clock: ManualClock) -> None:
    source = ReplaySource(evenly(1000, 60_000), clock=clock, speed=None)

    played = play(source, clock)

    assert [quote.price for _, quote in played] == [1.0 + i for i in range(1000)]
    assert clock.monotonic() == 1000.0


def test_at_max_speed_rebased_timestamps_are_the_moment_of_collection(clock: ManualClock) -> None:
    source = ReplaySource(evenly(100, 60_000), clock=clock, speed=None)
    first = source.pop_due(clock.monotonic())
    clock.advance(2.5)
    second = source.pop_due(clock.monotonic())

    assert {quote.time for quote in first} == {clock.time() - 2.5}
    assert {quote.time for quote in second} == {clock.time()}


def test_at_max_speed_a_loop_goes_on_with_kept_timestamps_moving_forward(
    clock: ManualClock,
) -> None:
    source = ReplaySource(evenly(3, 500), clock=clock, speed=None, loop=True, keep_timestamps=True)

    times = [quote.time for _ in range(4) for quote in source.pop_due(clock.monotonic())]

    assert times == [T0 / 1000 + 0.5 * i for i in range(12)]


def test_only_max_speed_is_client_paced(clock: ManualClock) -> None:
    assert ReplaySource(evenly(1, 1), clock=clock, speed=None).client_paced
    assert not ReplaySource(evenly(1, 1), clock=clock, speed=1000.0).client_paced


# --- what is refused ----------------------------------------------------------------


def test_an_empty_tape_is_refused(clock: ManualClock) -> None:
    with pytest.raises(ConfigError, match="nothing to replay"):
        ReplaySource(Tape.empty(), clock=clock)


@pytest.mark.parametrize("speed", [0.0, -1.0, math.nan, math.inf])
def test_speed_must_be_a_positive_number(clock: ManualClock, speed: float) -> None:
    with pytest.raises(ConfigError, match="speed"):
        ReplaySource(evenly(2, 1), clock=clock, speed=speed)


def test_a_tape_out_of_time_order_is_refused(clock: ManualClock) -> None:
    with pytest.raises(ValueError, match="time order"):
        ReplaySource(tape_of([(T0 + 1, "BTC/USD", 1.0), (T0, "BTC/USD", 1.0)]), clock=clock)


def test_the_catalog_is_the_tapes(clock: ManualClock) -> None:
    source = ReplaySource(evenly(4, 1, ["SOL/USD", "BTC/USD"]), clock=clock)

    assert source.catalog.symbols == ("SOL/USD", "BTC/USD")


# --- the source contract, on any tape -------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(
    gaps=st.lists(st.integers(0, 5000), min_size=0, max_size=30),
    speed=st.sampled_from([0.5, 1.0, 3.0, 60.0, 1000.0]),
    loop=st.booleans(),
    keep=st.booleans(),
    steps=st.lists(st.floats(0.0, 20.0), min_size=1, max_size=60),
)
def test_a_paced_replay_keeps_the_source_contract_on_any_tape(
    gaps: list[int], speed: float, loop: bool, keep: bool, steps: list[float]
) -> None:
    """Nothing early, everything due at once, and neither due times nor stamps go back."""
    clock = ManualClock(start_monotonic=1000.0)
    times = [T0 + sum(gaps[:i]) for i in range(len(gaps) + 1)]
    tape = tape_of([(at, "BTC/USD", 1.0) for at in times])
    source = ReplaySource(tape, clock=clock, speed=speed, loop=loop, keep_timestamps=keep)
    dues: list[float] = []
    stamps: list[float] = []
    for step in steps:
        due = source.next_due()
        quotes = source.pop_due(clock.monotonic())
        if due is None or due > clock.monotonic():
            assert quotes == []
        else:
            assert quotes
        after = source.next_due()
        assert after is None or after > clock.monotonic()
        dues.extend(d for d in (due, after) if d is not None)
        stamps.extend(quote.time for quote in quotes)
        clock.advance(step)
    assert dues == sorted(dues)
    assert stamps == sorted(stamps)


def test_at_a_huge_speed_a_paced_call_hands_out_at_most_one_batch(clock: ManualClock) -> None:
    """Everything is due at once, but the pump must get back to the event loop meanwhile."""
    source = ReplaySource(evenly(10_000, 1000), clock=clock, speed=1e9)
    source.next_due()
    clock.advance(1.0)

    sizes = [len(source.pop_due(clock.monotonic())) for _ in range(4)]

    assert sizes == [PACED_BATCH, PACED_BATCH, 10_000 - 2 * PACED_BATCH, 0]
