"""The text of `chrono tail`'s cells and status line."""

from __future__ import annotations

import pytest

from chrono_cli.commands.tail.format import (
    format_age,
    format_change,
    format_missed,
    format_price,
    format_status,
    format_volume,
    sparkline,
)
from chrono_cli.commands.tail.state import LinkStatus

REFUSED = "connection refused (is the server up?)"


@pytest.mark.parametrize(
    ("price", "expected"),
    [
        (95_000.0, "95,000.00"),
        (1_234_567.891, "1,234,567.89"),
        (1000.0, "1,000.00"),
        (999.99996, "1,000.00"),  # rounds up into the next band: no "1000.0000"
        (999.99994, "999.9999"),
        (2.35, "2.3500"),
        (1.0, "1.0000"),
        (0.99996, "1.0000"),
        (0.75, "0.7500"),
        (0.22, "0.2200"),
    ],
)
def test_price_precision_depends_on_magnitude(price: float, expected: str) -> None:
    assert format_price(price) == expected


@pytest.mark.parametrize(
    ("price", "expected"),
    [
        (0.035812, "0.03581"),
        (0.0358129, "0.03581"),
        (0.00001234, "0.00001234"),
        (0.000012345678, "0.00001235"),
        (0.099996, "0.1000"),  # rounding adds a digit in front: still 4 significant
    ],
)
def test_tiny_prices_keep_four_significant_digits(price: float, expected: str) -> None:
    assert format_price(price) == expected


def test_unknown_price_is_a_dash() -> None:
    assert format_price(None) == "—"


def test_zero_and_negative_prices() -> None:
    assert format_price(0.0) == "0.0000"
    assert format_price(-0.0) == "0.0000"
    assert format_price(-3.5) == "-3.5000"


@pytest.mark.parametrize(
    ("change", "percent", "price", "expected"),
    [
        (12.34, 0.0123, 95_000.0, "+12.34 (+0.01%)"),
        (1234.5, 1.3, 96_234.5, "+1,234.50 (+1.30%)"),
        (-77.4, -0.0815, 94_922.6, "-77.40 (-0.08%)"),
        (-0.0012, -0.0511, 2.3488, "-0.0012 (-0.05%)"),
        (-0.00021, -0.5865, 0.0356, "-0.00021 (-0.59%)"),
        (0.0, 0.0, 95_000.0, "0.00 (0.00%)"),
    ],
)
def test_change_is_signed_with_the_prices_precision(
    change: float, percent: float, price: float, expected: str
) -> None:
    assert format_change(change, percent, price) == expected


@pytest.mark.parametrize(
    ("change", "percent", "price", "expected"),
    [
        # ETH/BTC quoted to 6 decimals, shown to 5: one tick up is not "0.00000 (0.01%)".
        (0.000003, 0.0084, 0.035815, "+0.000003 (+0.01%)"),
        (-0.000003, -0.0084, 0.035809, "-0.000003 (-0.01%)"),
        # 12 cents on 95,000 is not "-0.12 (-0.00%)".
        (-0.12, -0.000126, 94_999.88, "-0.12 (-0.0001%)"),
        (0.01, 0.0000105, 95_000.01, "+0.01 (+0.00001%)"),
        (0.001, 0.000001, 95_000.0, "+0.001 (+0.000001%)"),
    ],
)
def test_a_price_that_moved_never_shows_a_zero_change(
    change: float, percent: float, price: float, expected: str
) -> None:
    assert format_change(change, percent, price) == expected


def test_change_that_rounds_to_zero_has_no_sign() -> None:
    # Float noise, far below any quoted tick: zero, at the usual precision, unsigned.
    assert format_change(5.5e-17, 1.8e-14, 0.3) == "0.0000 (0.00%)"
    assert format_change(-1e-12, -1e-14, 95_000.0) == "0.00 (0.00%)"
    assert format_change(-0.0, -0.0, 95_000.0) == "0.00 (0.00%)"


def test_change_without_price_uses_its_own_magnitude() -> None:
    assert format_change(12.34, 0.5) == "+12.3400 (+0.50%)"
    assert format_change(-0.00021, -0.5) == "-0.0002100 (-0.50%)"


def test_change_without_percent_shows_the_amount_only() -> None:
    assert format_change(0.5, None, 2.0) == "+0.5000"


def test_unknown_change_is_a_dash() -> None:
    assert format_change(None, None) == "—"
    assert format_change(None, 1.0, 100.0) == "—"


@pytest.mark.parametrize(
    ("volume", "expected"),
    [
        (0.0, "0"),
        (0.5, "0.5"),
        (12.5, "12.5"),
        (950.0, "950"),
        (999.994, "999.99"),
        (999.996, "1.00K"),
        (1000.0, "1.00K"),
        (1234.0, "1.23K"),
        (999_999.0, "1.00M"),  # not "1000.00K"
        (1_234_567.0, "1.23M"),
        (28e9, "28.00B"),
        (1.5e12, "1.50T"),
        (1.5e15, "1,500.00T"),  # no unit past T
        (-2500.0, "-2.50K"),
    ],
)
def test_volume_is_human_readable(volume: float, expected: str) -> None:
    assert format_volume(volume) == expected


def test_unknown_volume_is_a_dash() -> None:
    assert format_volume(None) == "—"


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        (0.0, "0.0s"),
        (0.3, "0.3s"),
        (0.45, "0.4s"),  # truncated: it is not yet 0.5s old
        (9.99, "9.9s"),
        (10.0, "10s"),
        (12.7, "12s"),
        (59.99, "59s"),
        (60.0, "1m00s"),
        (185.0, "3m05s"),
        (3599.9, "59m59s"),
        (3600.0, "1h00m"),
        (3720.0, "1h02m"),
        (90_000.0, "25h00m"),
        (-0.2, "0.0s"),  # clock jitter never shows a negative age
    ],
)
def test_age_is_short_and_truncated(seconds: float, expected: str) -> None:
    assert format_age(seconds) == expected


def test_unknown_age_is_a_dash() -> None:
    assert format_age(None) == "—"


def test_sparkline_spans_the_blocks_from_min_to_max() -> None:
    assert sparkline([0, 2, 4, 6, 8, 10, 12, 14]) == "▁▂▃▄▅▆▇█"
    assert sparkline([14, 12, 10, 8, 6, 4, 2, 0]) == "█▇▆▅▄▃▂▁"
    assert sparkline([3.0, 10.0]) == "▁█"


def test_sparkline_scales_to_the_shown_window_only() -> None:
    assert sparkline([1000.0, 0.0, 7.0], width=2) == "▁█"
    assert sparkline([1000.0, 0.0, 7.0], width=3) == "█▁▁"


def test_sparkline_shows_the_last_width_values() -> None:
    line = sparkline([float(n) for n in range(100)], width=10)
    assert len(line) == 10
    assert line[0] == "▁"
    assert line[-1] == "█"


def test_sparkline_default_width_is_twenty() -> None:
    assert len(sparkline([float(n % 7) for n in range(50)])) == 20


def test_sparkline_shorter_than_width_has_one_block_per_value() -> None:
    assert len(sparkline([1.0, 2.0, 3.0], width=20)) == 3


def test_flat_sparkline_is_middle_blocks() -> None:
    assert sparkline([5.0, 5.0, 5.0]) == "▄▄▄"
    assert sparkline([5.0]) == "▄"


def test_empty_sparkline() -> None:
    assert sparkline([]) == ""
    assert sparkline([1.0, 2.0], width=0) == ""


@pytest.mark.parametrize(("missed", "expected"), [(0, "0"), (12, "12"), (1234, "1,234")])
def test_missed_count(missed: int, expected: str) -> None:
    assert format_missed(missed) == expected


def test_status_while_connecting() -> None:
    assert format_status(LinkStatus(), 5.0, 0.0, 0) == "… connecting · 0.0 msg/s · missed 0"


def test_status_connected_shows_heartbeat_age_rate_and_missed() -> None:
    link = LinkStatus(state="connected", connected_since=0.0, last_heartbeat_at=10.0)
    assert format_status(link, 13.2, 4.2, 0) == (
        "● connected · heartbeat 3.2s ago · 4.2 msg/s · missed 0"
    )
    assert format_status(link, 22.0, 4.25, 1234) == (
        "● connected · heartbeat 12s ago · 4.2 msg/s · missed 1,234"
    )


def test_status_connected_before_any_heartbeat() -> None:
    link = LinkStatus(state="connected", connected_since=0.0)
    assert format_status(link, 3.0, 1.0, 0) == (
        "● connected · no heartbeat yet · 1.0 msg/s · missed 0"
    )


def test_status_marks_an_overdue_heartbeat() -> None:
    link = LinkStatus(state="connected", connected_since=0.0, last_heartbeat_at=10.0)
    assert link.heartbeat_overdue(56.0)  # 1.5 times the default 30 s interval
    assert format_status(link, 56.0, 0.0, 0) == (
        "● connected · heartbeat overdue (last 46s ago) · 0.0 msg/s · missed 0"
    )


def test_status_marks_a_heartbeat_that_never_came() -> None:
    link = LinkStatus(state="connected", connected_since=100.0)
    assert format_status(link, 146.0, 0.0, 0) == (
        "● connected · heartbeat overdue (none in 46s) · 0.0 msg/s · missed 0"
    )


def test_status_reconnecting_with_attempt_countdown_and_reason() -> None:
    link = LinkStatus(state="reconnecting", attempt=3, next_try_at=12.0, reason=REFUSED)
    assert format_status(link, 10.2, 0.0, 5) == (
        "↻ reconnecting (attempt 3, next try in 2s): connection refused (is the server up?)"
        " · 0.0 msg/s · missed 5"
    )


@pytest.mark.parametrize(
    ("remaining", "countdown"),
    [
        (2.0, "next try in 2s"),
        (2.01, "next try in 3s"),  # rounded up: never says 2s when it is longer
        (1.8, "next try in 2s"),
        (0.3, "next try in 1s"),
        (65.0, "next try in 1m05s"),
        (0.0, "trying now"),
        (-1.0, "trying now"),
    ],
)
def test_reconnect_countdown_rounds_up_to_whole_seconds(remaining: float, countdown: str) -> None:
    link = LinkStatus(state="reconnecting", attempt=1, next_try_at=100.0 + remaining)
    assert f"(attempt 1, {countdown})" in format_status(link, 100.0, 0.0, 0)


def test_status_just_disconnected_before_a_retry_is_scheduled() -> None:
    link = LinkStatus(state="reconnecting", reason="closed 1006")
    assert format_status(link, 1.0, 0.0, 0) == (
        "↻ reconnecting: closed 1006 · 0.0 msg/s · missed 0"
    )


def test_status_never_mentions_heartbeat_when_not_connected() -> None:
    link = LinkStatus(state="reconnecting", last_heartbeat_at=0.0, reason="closed 1006")
    assert "heartbeat" not in format_status(link, 500.0, 0.0, 0)


def test_status_ends_with_the_other_faults_given() -> None:
    assert format_status(LinkStatus(), 5.0, 0.0, 2, ["dup 1", "late 3"]) == (
        "… connecting · 0.0 msg/s · missed 2 · dup 1 · late 3"
    )
