"""The text of `chrono tail`'s cells and status line: pure functions, no Rich.

Every function returns a plain `str`, so the table's content is tested without a
terminal; `view` only adds layout and colour.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from chrono_cli.commands.tail.state import LinkStatus

MISSING = "—"
MINUS = "-"  # ASCII, so copied figures parse as numbers
SPARK_BLOCKS = "▁▂▃▄▅▆▇█"
SIGNIFICANT_DIGITS = 4  # for prices below 1
PERCENT_DECIMALS = 2
# A change smaller than these shows as zero: float noise, not a move of a quoted price.
MAX_CHANGE_DECIMALS = 10
MAX_PERCENT_DECIMALS = 8
_VOLUME_UNITS = ("", "K", "M", "B", "T")
_EPSILON = 1e-9  # absorbs float noise before floor/ceil: 0.3 * 10 is 2.9999999999999996


def price_decimals(price: float) -> int:
    """Decimals `format_price` shows for `price`: 2 from 1,000, 4 from 1, else 4 significant."""
    magnitude = abs(price)
    if magnitude == 0 or not math.isfinite(magnitude):
        return 4
    if round(magnitude, 4) >= 1000:
        return 2
    if round(magnitude, 4) >= 1:
        return 4
    decimals = SIGNIFICANT_DIGITS - 1 - math.floor(math.log10(magnitude))
    # 0.099996 gets 5 decimals, but rounds up to 0.1000: one fewer keeps 4 significant digits.
    if round(magnitude, decimals) >= 10 ** (SIGNIFICANT_DIGITS - decimals):
        decimals -= 1
    return max(decimals, 4)


def format_price(price: float | None) -> str:
    """`95,000.00`, `2.3500`, `0.03581`, `0.00001234`; `—` when unknown."""
    if price is None:
        return MISSING
    if not math.isfinite(price):
        return str(price)
    decimals = price_decimals(price)
    text = f"{abs(price):,.{decimals}f}"
    return text if price >= 0 or _is_zero(text) else MINUS + text


def format_change(change: float | None, percent: float | None, price: float | None = None) -> str:
    """`+12.34 (+0.01%)`, `-0.0012 (-0.05%)`, `+0.000003 (+0.008%)`; `—` when unknown.

    Decimals follow `format_price(price)` when the price is given (the column then
    matches the price column), else `format_price(change)`; the percentage has 2.
    Either gets more when a change would otherwise show as zero: a price that moved
    never reads `0.00000 (0.01%)` or `-0.12 (-0.00%)`. The sign is the change's, on
    each number that is not zero.
    """
    if change is None:
        return MISSING
    if not math.isfinite(change):
        return str(change)
    decimals = price_decimals(price if price is not None else change)
    amount = _visible(change, decimals, MAX_CHANGE_DECIMALS)
    if percent is None:
        return _signed(amount, change)
    share = (
        _visible(percent, PERCENT_DECIMALS, MAX_PERCENT_DECIMALS)
        if math.isfinite(percent)
        else str(abs(percent))
    )
    return f"{_signed(amount, change)} ({_signed(share, percent)}%)"


def format_volume(volume: float | None) -> str:
    """`950`, `12.5`, `1.23K`, `28.00B`, `1,234.00T`; `—` when unknown."""
    if volume is None:
        return MISSING
    if not math.isfinite(volume):
        return str(volume)
    sign = MINUS if volume < 0 else ""
    magnitude = abs(volume)
    if round(magnitude, 2) < 1000:
        text = f"{magnitude:.2f}".rstrip("0").rstrip(".")
        return (sign if text != "0" else "") + text
    unit = 0
    scaled = magnitude
    while unit < len(_VOLUME_UNITS) - 1 and round(scaled, 2) >= 1000:
        scaled /= 1000
        unit += 1
    return f"{sign}{scaled:,.2f}{_VOLUME_UNITS[unit]}"


def format_age(seconds: float | None) -> str:
    """How long ago, truncated: `0.4s`, `12s`, `3m05s`, `1h02m`; `—` when never."""
    if seconds is None:
        return MISSING
    if not math.isfinite(seconds):
        return str(seconds)
    seconds = max(seconds, 0.0)
    if seconds < 10:
        return f"{math.floor(seconds * 10 + _EPSILON) / 10:.1f}s"
    return _whole_duration(math.floor(seconds + _EPSILON))


def sparkline(values: Sequence[float], width: int = 20) -> str:
    """The last `width` values as blocks from `▁` (lowest) to `█` (highest)."""
    if width <= 0:
        return ""
    points = [value for value in values[-width:] if math.isfinite(value)]
    if not points:
        return ""
    low, high = min(points), max(points)
    if high == low:
        return SPARK_BLOCKS[len(SPARK_BLOCKS) // 2 - 1] * len(points)
    top = len(SPARK_BLOCKS) - 1
    return "".join(SPARK_BLOCKS[round((value - low) / (high - low) * top)] for value in points)


def format_missed(n: int) -> str:
    """Updates lost to sequence gaps: `0`, `12`, `1,234`."""
    return f"{n:,}"


def format_status(
    link: LinkStatus, now: float, rate: float, missed_total: int, faults: Sequence[str] = ()
) -> str:
    """The line under the table: the link's state, message rate, missed updates, other faults."""
    if link.state == "connected":
        parts = ["● connected", _heartbeat(link, now)]
    elif link.state == "reconnecting":
        parts = [_reconnecting(link, now)]
    elif link.state == "stopped":
        parts = [f"✖ stopped: {link.reason}" if link.reason else "✖ stopped"]
    else:
        parts = ["… connecting"]
    parts += [f"{rate:.1f} msg/s", f"missed {format_missed(missed_total)}", *faults]
    return " · ".join(parts)


def _heartbeat(link: LinkStatus, now: float) -> str:
    age = link.heartbeat_age(now)
    if link.heartbeat_overdue(now):
        if age is None:
            since = now - link.connected_since if link.connected_since is not None else None
            return f"heartbeat overdue (none in {format_age(since)})"
        return f"heartbeat overdue (last {format_age(age)} ago)"
    if age is None:
        return "no heartbeat yet"
    return f"heartbeat {format_age(age)} ago"


def _reconnecting(link: LinkStatus, now: float) -> str:
    details: list[str] = []
    if link.attempt:
        details.append(f"attempt {link.attempt}")
    if link.next_try_at is not None:
        remaining = math.ceil(link.next_try_at - now - _EPSILON)
        details.append(
            f"next try in {_whole_duration(remaining)}" if remaining > 0 else "trying now"
        )
    text = "↻ reconnecting"
    if details:
        text += f" ({', '.join(details)})"
    if link.reason:
        text += f": {link.reason}"
    return text


def _whole_duration(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


def _is_zero(text: str) -> bool:
    return not text.strip("0.,")


def _visible(value: float, decimals: int, most: int) -> str:
    """`abs(value)` to `decimals`, or to more (up to `most`) until it shows as non-zero."""
    text = f"{abs(value):,.{decimals}f}"
    if value and _is_zero(text):
        for more in range(decimals + 1, most + 1):
            finer = f"{abs(value):,.{more}f}"
            if not _is_zero(finer):
                return finer
    return text


def _signed(text: str, value: float) -> str:
    """`text` (a magnitude) with `value`'s sign, unless it reads as zero: never `-0.00`."""
    if _is_zero(text):
        return text
    return ("+" if value > 0 else MINUS) + text
