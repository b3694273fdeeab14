"""The bench's metronome: the server publishes exactly the schedule clients compute from."""

from __future__ import annotations

import pytest

from chrono_sim.bench.metronome import MetronomeSource, Schedule
from chrono_sim.protocol.catalog import DEFAULT_CATALOG
from chrono_sim.protocol.clock import ManualClock
from chrono_sim.protocol.hub import Hub
from chrono_sim.protocol.messages import PriceUpdate, decode_server_message

SYMBOLS = ("BTC/USD", "ETH/USD", "SOL/USD")


def test_each_update_is_published_when_the_schedule_says_it_is_due() -> None:
    clock = ManualClock(start_time=1000.0, start_monotonic=50.0)
    schedule = Schedule(start=1001.0, updates_per_second=10.0, symbols=SYMBOLS)
    source = MetronomeSource(DEFAULT_CATALOG, schedule, clock)

    assert source.next_due() == 51.0  # the wall-clock start, on the monotonic clock
    assert source.pop_due(50.99) == []
    quotes = source.pop_due(51.25)
    assert [(q.symbol, q.time) for q in quotes] == [
        ("BTC/USD", 1001.0), ("ETH/USD", 1001.1), ("SOL/USD", 1001.2),
    ]  # fmt: skip
    assert source.next_due() == pytest.approx(51.3)


def test_a_client_recovers_each_updates_due_time_from_its_symbol_and_seq() -> None:
    clock = ManualClock(start_time=1000.0, start_monotonic=0.0)
    schedule = Schedule(start=1000.0, updates_per_second=100.0, symbols=SYMBOLS)
    source, hub = MetronomeSource(DEFAULT_CATALOG, schedule, clock), Hub()

    for quote in source.pop_due(1.0):
        update = decode_server_message(hub.publish(quote))
        assert isinstance(update, PriceUpdate)
        assert isinstance(update.seq, int)
        due = schedule.due(SYMBOLS.index(update.symbol), update.seq)
        assert abs(due - quote.time) < 1e-9


def test_the_catalog_is_just_the_scheduled_symbols() -> None:
    schedule = Schedule(start=0.0, updates_per_second=1.0, symbols=SYMBOLS)
    source = MetronomeSource(DEFAULT_CATALOG, schedule, ManualClock())
    assert set(source.catalog.symbols) == set(SYMBOLS)
