"""`chrono tail`'s screen, rendered from a `TailState` fed with client events."""

from __future__ import annotations

import io
import itertools
import random
import re

import pytest
from rich.console import Console
from rich.style import Style

from chrono_cli.commands.tail.state import TailState
from chrono_cli.commands.tail.view import render
from chrono_sim.client import Connected, Disconnected, Heartbeat, Retrying, Subscribed
from tests.support.feed_events import symbol_price

URL = "ws://localhost:3000/stream"
TITLE = f"chrono tail · {URL}"
TIMESTAMP = "2025-10-10T14:30:00.000Z"
REFUSED = "connection refused (is the server up?)"


def connected(*symbols: str, now: float = 0.0) -> TailState:
    """A state that has connected and subscribed to `symbols` at `now`."""
    state = TailState(symbols)
    state.apply(Connected(URL, 0), now)
    state.apply(Subscribed(symbols), now)
    return state


def plain(state: TailState, now: float, width: int = 100) -> str:
    console = Console(file=io.StringIO(), width=width, color_system=None, force_terminal=False)
    console.print(render(state, now, TITLE))
    output = console.file.getvalue()  # type: ignore[attr-defined]
    assert isinstance(output, str)
    return output


def ansi(state: TailState, now: float) -> str:
    console = Console(file=io.StringIO(), width=100, color_system="truecolor", force_terminal=True)
    console.print(render(state, now, TITLE))
    output = console.file.getvalue()  # type: ignore[attr-defined]
    assert isinstance(output, str)
    return output


def styles_of(state: TailState, now: float, text: str) -> list[Style]:
    """The styles of the rendered segments that contain `text`."""
    console = Console(width=100, color_system="truecolor", force_terminal=True)
    segments = console.render(render(state, now, TITLE))
    return [segment.style or Style() for segment in segments if text in segment.text]


def style_of(state: TailState, now: float, text: str) -> Style:
    styles = styles_of(state, now, text)
    assert len(styles) == 1, f"{text!r} is in {len(styles)} segments"
    return styles[0]


def line_of(output: str, symbol: str) -> str:
    lines = [line for line in output.splitlines() if line.startswith(symbol + " ")]
    assert len(lines) == 1, output
    return lines[0]


def color(style: Style) -> str | None:
    return style.color.name if style.color else None


# --- rows


def test_one_row_per_symbol_in_the_order_asked() -> None:
    state = connected("ETH/USD", "BTC/USD", "ETH/BTC")
    state.apply(symbol_price("BTC/USD", 95_000.0), 1.0)
    state.apply(symbol_price("ETH/BTC", 0.035812, volume=2.1e8, source="kraken"), 1.0)
    state.apply(symbol_price("ETH/USD", 3_400.5, volume=15e9, source="binance"), 1.0)
    output = plain(state, 1.4)
    rows = [line for line in output.splitlines() if line.split(" ")[0] in state.rows]
    assert [row.split()[0] for row in rows] == ["ETH/USD", "BTC/USD", "ETH/BTC"]
    assert "95,000.00" in line_of(output, "BTC/USD")
    assert "3,400.50" in line_of(output, "ETH/USD")
    assert "0.03581" in line_of(output, "ETH/BTC")


def test_row_shows_volume_source_age_and_missed() -> None:
    state = connected("ETH/BTC")
    state.apply(symbol_price("ETH/BTC", 0.035812, volume=2.1e8, source="kraken"), 1.0)
    row = line_of(plain(state, 1.4), "ETH/BTC")
    cells = ["ETH/BTC", "0.03581", "0.00000", "(0.00%)", "210.00M", "kraken", "0.4s", "▄", "0"]
    assert row.split() == cells


def test_title_and_headers_are_shown() -> None:
    output = plain(connected("BTC/USD"), 0.0)
    assert TITLE in output
    headers = ["Symbol", "Price", "Change", "Volume", "Source", "Age", "Trend", "Missed"]
    header = next(line for line in output.splitlines() if line.startswith("Symbol"))
    assert header.split() == headers


def test_symbol_without_update_is_waiting() -> None:
    state = connected("BTC/USD", "SOL/USD")
    state.apply(symbol_price("BTC/USD", 95_000.0), 1.0)
    output = plain(state, 2.0)
    assert "waiting…" in line_of(output, "SOL/USD")
    assert "waiting…" not in line_of(output, "BTC/USD")
    assert line_of(output, "SOL/USD").split() == ["SOL/USD", "waiting…", "—", "—", "—", "—", "0"]


def test_trend_is_a_sparkline_of_recent_prices() -> None:
    state = connected("BTC/USD")
    for step in range(8):
        state.apply(symbol_price("BTC/USD", 95_000.0 + 10 * step), 1.0 + step)
    assert "▁▂▃▄▅▆▇█" in line_of(plain(state, 8.5), "BTC/USD")


def test_fits_an_80_column_terminal_without_cutting_figures() -> None:
    state = connected("BTC/USD", "ETH/BTC", "DOGE/USD")
    for step in range(12):
        state.apply(symbol_price("BTC/USD", 95_000.0 + 111.11 * step), 1.0 + step)
        state.apply(symbol_price("ETH/BTC", 0.035812 - 0.00001 * step, volume=2.1e8), 1.0 + step)
    state.apply(symbol_price("BTC/USD", 95_000.0 + 111.11 * 12, missed=12), 20.0)
    output = plain(state, 29.0, width=80)
    assert all(len(line) <= 80 for line in output.splitlines())
    btc = line_of(output, "BTC/USD")
    assert "96,333.32" in btc
    assert "+1,333.32 (+1.40%)" in btc
    assert "28.00B" in btc
    assert "coinbase" in btc
    assert "9.0s" in btc
    assert btc.endswith(" 12")
    assert "17s stale" in line_of(output, "ETH/BTC")


def narrow_terminal_state() -> TailState:
    state = connected("BTC/USD", "ETH/BTC", "DOGE/USD")
    for step in range(12):
        state.apply(symbol_price("BTC/USD", 95_000.0 + 111.11 * step), 1.0 + step)
        state.apply(symbol_price("ETH/BTC", 0.035812 - 0.00001 * step, volume=2.1e8), 1.0 + step)
    state.apply(symbol_price("BTC/USD", 94_950.0, missed=12), 20.0)
    return state


def header_of(output: str) -> list[str]:
    return next(line for line in output.splitlines() if line.startswith("Symbol")).split()


def test_a_50_column_terminal_drops_columns_before_cutting_symbol_or_price() -> None:
    output = plain(narrow_terminal_state(), 29.0, width=50)
    assert all(len(line) <= 50 for line in output.splitlines())
    assert "…" not in output.replace("waiting…", "")
    assert header_of(output) == ["Symbol", "Price", "Change", "Missed"]
    btc = ["BTC/USD", "94,950.00", "-50.00", "(-0.05%)", "12"]
    assert line_of(output, "BTC/USD").split() == btc
    assert line_of(output, "ETH/BTC").split()[:2] == ["ETH/BTC", "0.03570"]


@pytest.mark.parametrize(
    ("width", "headers"),
    [
        (100, ["Symbol", "Price", "Change", "Volume", "Source", "Age", "Trend", "Missed"]),
        (70, ["Symbol", "Price", "Change", "Volume", "Age", "Missed"]),
        (60, ["Symbol", "Price", "Change", "Age", "Missed"]),
        (40, ["Symbol", "Price", "Change"]),
        (30, ["Symbol", "Price"]),
    ],
)
def test_the_less_important_columns_go_first(width: int, headers: list[str]) -> None:
    output = plain(narrow_terminal_state(), 29.0, width=width)
    assert header_of(output) == headers
    assert "94,950.00" in line_of(output, "BTC/USD")


def test_columns_keep_their_places_as_the_sparkline_grows_and_stale_appears() -> None:
    state = connected("BTC/USD")
    state.apply(symbol_price("BTC/USD", 95_000.0), 1.0)
    state.apply(symbol_price("BTC/USD", 95_010.0), 2.0)
    first = plain(state, 2.5).splitlines()
    for step in range(3, 40):  # the sparkline fills up
        state.apply(symbol_price("BTC/USD", 95_000.0 + 10 * (step % 2)), float(step))
    later = plain(state, 39.5).splitlines()
    stale = plain(state, 39.0 + 500.0).splitlines()  # 8m20s stale
    assert "stale" in line_of("\n".join(stale), "BTC/USD")
    header = next(line for line in first if line.startswith("Symbol"))
    assert next(line for line in later if line.startswith("Symbol")) == header
    assert next(line for line in stale if line.startswith("Symbol")) == header
    assert line_of("\n".join(stale), "BTC/USD").endswith(" 0")
    assert len(line_of("\n".join(stale), "BTC/USD")) == len(line_of("\n".join(later), "BTC/USD"))


# --- change: colour and TailState's "since start"


def test_change_is_since_the_first_price() -> None:
    state = connected("BTC/USD")
    state.apply(symbol_price("BTC/USD", 95_000.0), 1.0)
    state.apply(symbol_price("BTC/USD", 95_100.0), 2.0)
    state.apply(symbol_price("BTC/USD", 95_050.0), 3.0)
    row = state.rows["BTC/USD"]
    assert row.change == 50.0
    assert row.change_percent is not None
    assert round(row.change_percent, 4) == 0.0526
    assert "+50.00 (+0.05%)" in line_of(plain(state, 3.5), "BTC/USD")


def test_rising_change_is_green() -> None:
    state = connected("BTC/USD")
    state.apply(symbol_price("BTC/USD", 95_000.0), 1.0)
    state.apply(symbol_price("BTC/USD", 95_012.34), 2.0)
    assert color(style_of(state, 2.5, "+12.34 (+0.01%)")) == "green"


def test_falling_change_is_red() -> None:
    state = connected("XRP/USD")
    state.apply(symbol_price("XRP/USD", 2.35), 1.0)
    state.apply(symbol_price("XRP/USD", 2.3488), 2.0)
    assert color(style_of(state, 2.5, "-0.0012 (-0.05%)")) == "red"


def test_unchanged_price_is_plain() -> None:
    state = connected("BTC/USD")
    state.apply(symbol_price("BTC/USD", 95_000.0), 1.0)
    state.apply(symbol_price("BTC/USD", 95_010.0), 2.0)
    state.apply(symbol_price("BTC/USD", 95_000.0), 3.0)  # back where it started
    assert color(style_of(state, 3.5, "0.00 (0.00%)")) is None


def test_a_change_below_the_prices_precision_still_shows_with_its_colour() -> None:
    state = connected("ETH/BTC")
    state.apply(symbol_price("ETH/BTC", 0.035812), 1.0)
    state.apply(symbol_price("ETH/BTC", 0.035815), 2.0)  # one tick: shown as 0.03582 both
    assert color(style_of(state, 2.5, "+0.000003 (+0.01%)")) == "green"


def test_change_colours_reach_the_terminal_as_ansi_codes() -> None:
    state = connected("BTC/USD", "ETH/USD")
    for symbol, first, last in (("BTC/USD", 95_000.0, 95_100.0), ("ETH/USD", 3_400.0, 3_390.0)):
        state.apply(symbol_price(symbol, first), 1.0)
        state.apply(symbol_price(symbol, last), 2.0)
    output = ansi(state, 2.5)
    assert re.search(r"\x1b\[32m *\+100\.00 \(\+0\.11%\)\x1b\[0m", output)
    assert re.search(r"\x1b\[31m *-10\.00 \(-0\.29%\)\x1b\[0m", output)


# --- staleness


def test_stale_after_a_long_gap_relative_to_the_usual_gap() -> None:
    state = connected("BTC/USD")
    for second in range(1, 66):  # an update every 4 s: 64 gaps known
        state.apply(symbol_price("BTC/USD", 95_000.0), 4.0 * second)
    row = state.rows["BTC/USD"]
    assert row.stale_after == pytest.approx(30.0)  # 6 gaps, x 1.25 for the doubt left
    assert not row.is_stale(260.0 + 29.9)
    assert row.is_stale(260.0 + 30.1)


def test_while_few_gaps_are_known_the_threshold_is_wider() -> None:
    state = connected("BTC/USD")
    for second in range(1, 11):  # an update every 4 s: 9 gaps known
        state.apply(symbol_price("BTC/USD", 95_000.0), 4.0 * second)
    row = state.rows["BTC/USD"]
    assert not row.is_stale(40.0 + 39.9)  # 6 gaps, x (1 + 2/3)
    assert row.is_stale(40.0 + 40.1)


def test_a_short_first_gap_does_not_make_the_next_ones_stale() -> None:
    state = connected("BTC/USD")
    for at in (1.0, 1.2, 5.2):  # the snapshot, an update just after it, one 4 s later
        state.apply(symbol_price("BTC/USD", 95_000.0), at)
    assert not state.rows["BTC/USD"].is_stale(5.2 + 8.0)  # a gap of 8 s is no outage


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_symbols_updating_every_4_s_at_random_are_seldom_stale(seed: int) -> None:
    """The server's default: each symbol every 4 s on average, at random (Poisson) times."""
    randoms = random.Random(seed)
    symbols = [f"S{n}/USD" for n in range(20)]
    state = connected(*symbols)
    arrivals = sorted(
        (at, symbol)
        for symbol in symbols
        for at in itertools.accumulate(randoms.expovariate(1 / 4.0) for _ in range(300))
    )
    stale = 0
    for at, symbol in arrivals:
        stale += state.rows[symbol].is_stale(at - 1e-6)  # just before it came
        state.apply(symbol_price(symbol, 95_000.0), at)
    assert stale / len(arrivals) < 0.003  # one update in 28 was flagged late with 4 x EWMA


def test_fast_feed_is_not_stale_within_the_floor() -> None:
    state = connected("BTC/USD")
    for tick in range(1, 21):  # an update every 0.1 s
        state.apply(symbol_price("BTC/USD", 95_000.0), 0.1 * tick)
    row = state.rows["BTC/USD"]
    assert not row.is_stale(2.0 + 4.9)
    assert row.is_stale(2.0 + 5.1)


def test_stale_row_is_dim_and_marked_in_the_age_cell() -> None:
    state = connected("BTC/USD", "ETH/USD")
    for second in range(1, 11):
        state.apply(symbol_price("BTC/USD", 95_000.0), float(second))
    state.apply(symbol_price("ETH/USD", 3_400.0), 12.0)
    state.apply(symbol_price("ETH/USD", 3_401.0), 16.0)
    now = 22.5  # BTC/USD has been silent 12.5 s after updates every second
    output = plain(state, now)
    assert "12s stale" in line_of(output, "BTC/USD")
    assert "stale" not in line_of(output, "ETH/USD")
    assert style_of(state, now, "BTC/USD").dim
    assert style_of(state, now, "stale").dim
    assert color(style_of(state, now, "stale")) == "yellow"
    assert not style_of(state, now, "ETH/USD").dim


def test_a_single_update_is_never_stale() -> None:
    state = connected("BTC/USD")
    state.apply(symbol_price("BTC/USD", 95_000.0), 1.0)
    assert "stale" not in plain(state, 1000.0)


# --- missed updates


def test_missed_updates_accumulate_per_symbol() -> None:
    state = connected("BTC/USD", "ETH/USD")
    state.apply(symbol_price("BTC/USD", 95_000.0, missed=2), 1.0)
    state.apply(symbol_price("BTC/USD", 95_001.0, missed=3), 2.0)
    state.apply(symbol_price("ETH/USD", 3_400.0), 2.0)
    assert state.rows["BTC/USD"].missed == 5
    assert state.total_missed == 5
    output = plain(state, 2.5)
    assert line_of(output, "BTC/USD").endswith(" 5")
    assert line_of(output, "ETH/USD").endswith(" 0")
    assert output.splitlines()[-1].endswith("missed 5")


def test_missed_count_is_highlighted_only_when_positive() -> None:
    state = connected("BTC/USD", "ETH/USD")
    state.apply(symbol_price("BTC/USD", 95_000.0, missed=7), 1.0)
    state.apply(symbol_price("ETH/USD", 3_400.0), 1.0)
    assert [color(style) for style in styles_of(state, 1.5, "7")] == ["red", "red"]  # cell, status
    assert color(style_of(state, 1.5, "missed 7")) == "red"
    assert all(color(style) != "red" for style in styles_of(state, 1.5, "0"))


# --- canonical names


def test_rows_take_the_servers_spelling_after_subscribed() -> None:
    state = TailState(("btc/usd", "ETH/USD"))
    state.apply(Connected(URL, 0), 0.0)
    state.apply(Subscribed(("BTC/USD", "ETH/USD")), 0.1)
    assert list(state.rows) == ["BTC/USD", "ETH/USD"]
    assert state.rows["BTC/USD"].symbol == "BTC/USD"
    state.apply(symbol_price("BTC/USD", 95_000.0), 1.0)
    assert list(state.rows) == ["BTC/USD", "ETH/USD"]  # the update found the renamed row
    output = plain(state, 1.5)
    assert "95,000.00" in line_of(output, "BTC/USD")
    assert "btc/usd" not in output


# --- status line


def status_line(state: TailState, now: float) -> str:
    return plain(state, now, width=200).splitlines()[-1]


def test_status_connected_with_heartbeat_and_rate() -> None:
    state = connected("BTC/USD")
    for second in range(1, 5):
        state.apply(symbol_price("BTC/USD", 95_000.0), float(second))
    state.apply(Heartbeat(0.0), 3.0)
    assert status_line(state, 5.0) == "● connected · heartbeat 2.0s ago · 0.8 msg/s · missed 0"
    assert color(style_of(state, 5.0, "● connected")) == "green"


def test_status_counts_messages_in_the_last_five_seconds() -> None:
    state = connected("BTC/USD")
    for tick in range(1, 51):  # 50 updates in 10 s
        state.apply(symbol_price("BTC/USD", 95_000.0), 0.2 * tick)
    assert "5.0 msg/s" in status_line(state, 10.0)
    assert "0.0 msg/s" in status_line(state, 15.0)


def test_status_reconnecting_with_countdown() -> None:
    state = connected("BTC/USD")
    state.apply(Disconnected(None, REFUSED), 10.0)
    state.apply(Retrying(3, 4.0, REFUSED, 14.0), 10.0)
    assert status_line(state, 12.2) == (
        "↻ reconnecting (attempt 3, next try in 2s): connection refused (is the server up?)"
        " · 0.0 msg/s · missed 0"
    )
    assert "next try in 4s" in status_line(state, 10.0)
    assert "trying now" in status_line(state, 14.0)
    state_part = "↻ reconnecting (attempt 3, next try in 2s): " + REFUSED
    assert color(style_of(state, 12.2, state_part)) == "red"


def test_long_status_wraps_on_a_narrow_terminal_rather_than_losing_text() -> None:
    state = connected("BTC/USD")
    state.apply(Disconnected(None, REFUSED), 10.0)
    state.apply(Retrying(3, 4.0, REFUSED, 14.0), 10.0)
    output = plain(state, 12.2, width=80)
    assert all(len(line) <= 80 for line in output.splitlines())
    status = " ".join(line.rstrip() for line in output.splitlines()[-2:])
    assert status == (
        "↻ reconnecting (attempt 3, next try in 2s): connection refused (is the server up?)"
        " · 0.0 msg/s · missed 0"
    )


def test_status_back_to_connected_after_reconnect() -> None:
    state = connected("BTC/USD")
    state.apply(Disconnected(1006, "closed 1006"), 10.0)
    state.apply(Retrying(1, 1.0, "closed 1006", 11.0), 10.0)
    state.apply(Connected(URL, 1), 11.2)
    line = status_line(state, 11.5)
    assert line.startswith("● connected · ")
    assert "reconnecting" not in line
    assert "attempt" not in line


def test_status_shows_an_overdue_heartbeat_in_yellow() -> None:
    state = connected("BTC/USD")
    state.apply(Heartbeat(0.0), 10.0)
    assert "heartbeat overdue" not in status_line(state, 54.0)  # 1.5 x the 30 s default
    assert status_line(state, 56.0) == (
        "● connected · heartbeat overdue (last 46s ago) · 0.0 msg/s · missed 0"
    )
    assert color(style_of(state, 56.0, "heartbeat overdue (last 46s ago)")) == "yellow"


def test_overdue_follows_the_learned_heartbeat_interval() -> None:
    state = connected("BTC/USD")
    state.apply(Heartbeat(0.0), 10.0)
    state.apply(Heartbeat(0.0), 20.0)  # the server beats every 10 s
    assert "heartbeat overdue" not in status_line(state, 34.0)
    assert "heartbeat overdue (last 16s ago)" in status_line(state, 36.0)


def test_status_while_connecting() -> None:
    state = TailState(("BTC/USD",))
    assert status_line(state, 0.0) == "… connecting · 0.0 msg/s · missed 0"


def test_heartbeat_is_not_overdue_right_after_a_reconnect() -> None:
    state = TailState(("BTC/USD",))
    state.apply(Connected("ws://x/stream", 0), 0.0)
    state.apply(Heartbeat(0.0), 30.0)
    state.apply(Disconnected(1006, "closed 1006"), 40.0)
    state.apply(Retrying(1, 60.0, "closed 1006", 100.0), 40.0)
    state.apply(Connected("ws://x/stream", 1), 100.0)
    assert not state.link.heartbeat_overdue(101.0)
    assert state.link.heartbeat_overdue(100.0 + 46.0)


# --- faults other than missed


def test_status_shows_the_other_faults_seen_after_missed_and_only_those() -> None:
    state = connected("BTC/USD")
    state.apply(symbol_price("BTC/USD", 95_000.0, missed=2), 1.0)
    assert plain(state, 1.5).splitlines()[-1].endswith("missed 2")
    state.faults.duplicates = 3
    state.faults.stalls = 1
    state.faults.disconnects.update({1006: 1})
    status = plain(state, 1.5, width=120).splitlines()[-1]
    assert status.endswith("missed 2 · dup 3 · stalls 1 · disconnects 1")


def test_the_other_faults_are_yellow() -> None:
    state = connected("BTC/USD")
    state.faults.late = 4
    assert color(style_of(state, 1.0, "late 4")) == "yellow"


def header_line(state: TailState, now: float, width: int, widths: dict[str, int]) -> str:
    console = Console(file=io.StringIO(), width=width, color_system=None, force_terminal=False)
    console.print(render(state, now, TITLE, widths))
    output = console.file.getvalue()  # type: ignore[attr-defined]
    assert isinstance(output, str)
    return next(line for line in output.splitlines() if line.startswith("Symbol"))


def test_columns_stay_put_from_waiting_to_the_first_prices_on_a_narrow_terminal() -> None:
    state, widths = connected("BTC/USD", "ETH/USD"), dict[str, int]()
    waiting = header_line(state, 0.5, 50, widths)
    state.apply(symbol_price("BTC/USD", 94_950.12, volume=1.5e9), 1.0)
    state.apply(symbol_price("ETH/USD", 3_400.5, volume=8.2e8), 1.0)
    state.apply(symbol_price("BTC/USD", 94_990.47, volume=1.6e9), 2.0)
    assert header_line(state, 2.5, 50, widths) == waiting


def test_a_column_never_narrows_from_one_screen_to_the_next() -> None:
    state, widths = connected("BTC/USD"), dict[str, int]()
    state.apply(symbol_price("BTC/USD", 123_456_789.5), 1.0)
    wide = header_line(state, 1.5, 100, widths)
    state.apply(symbol_price("BTC/USD", 123_456_789.5), 2.0)
    state.apply(symbol_price("BTC/USD", 1.5), 3.0)
    # The price column (right-aligned) still ends where the widest price ended.
    assert header_line(state, 3.5, 100, widths).index("Price") == wide.index("Price")
