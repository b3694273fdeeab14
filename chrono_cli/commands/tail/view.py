"""`chrono tail`'s screen: a Rich table of the symbols and a status line under it.

`render` is a pure function of the state and the time; the text of every cell
comes from `format`, this module only lays it out and colours it.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich import box
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from chrono_cli.commands.tail.faults import status_parts
from chrono_cli.commands.tail.format import (
    MINUS,
    MISSING,
    format_age,
    format_change,
    format_missed,
    format_price,
    format_status,
    format_volume,
    sparkline,
)
from chrono_cli.commands.tail.state import SymbolRow, TailState

UP_STYLE = "green"
DOWN_STYLE = "red"
STALE_ROW_STYLE = "dim"
STALE_MARK_STYLE = "bold yellow"
MISSED_STYLE = "bold red"
FAULT_STYLE = "yellow"
WAITING_STYLE = "dim italic"
TREND_MIN_WIDTH = 5
TREND_MAX_WIDTH = 20
STATE_STYLES = {"connected": "green", "connecting": "yellow", "reconnecting": "bold red"}
OVERDUE_STYLE = "bold yellow"
_SEPARATOR = " · "


def render(state: TailState, now: float, title: str) -> RenderableType:
    """The table, one row per symbol in the state's order, then the status line."""
    table = Table(
        title=title,
        box=box.SIMPLE_HEAD,  # a rule under the header; one space between columns
        show_edge=False,
        padding=0,
        header_style="bold",
    )
    table.add_column("Symbol", no_wrap=True, overflow="ellipsis", style="bold")
    for header in ("Price", "Change", "Volume"):
        table.add_column(header, justify="right", no_wrap=True, overflow="ellipsis")
    table.add_column("Source", no_wrap=True, overflow="ellipsis")
    table.add_column("Age", justify="right", no_wrap=True, overflow="ellipsis")
    table.add_column("Trend", min_width=TREND_MIN_WIDTH)  # the one column that shrinks
    table.add_column("Missed", justify="right", no_wrap=True, overflow="ellipsis")
    for row in state.rows.values():
        stale = row.is_stale(now)
        table.add_row(
            row.symbol,
            _price_cell(row),
            _change_cell(row),
            format_volume(row.volume),
            row.source or MISSING,
            _age_cell(row, now, stale),
            _Trend(tuple(row.recent)),
            _missed_cell(row.missed),
            style=STALE_ROW_STYLE if stale else None,
        )
    return Group(table, _status_line(state, now))


def _price_cell(row: SymbolRow) -> Text:
    if row.last_price is None:
        return Text("waiting…", style=WAITING_STYLE)
    return Text(format_price(row.last_price))


def _change_cell(row: SymbolRow) -> Text:
    text = format_change(row.change, row.change_percent, row.last_price)
    if text.startswith("+"):
        return Text(text, style=UP_STYLE)
    if text.startswith(MINUS):
        return Text(text, style=DOWN_STYLE)
    return Text(text)  # unknown, or no change at the price's precision


def _age_cell(row: SymbolRow, now: float, stale: bool) -> Text:
    text = Text(format_age(row.age(now)))
    if stale:
        text.append(" ")
        text.append("stale", style=STALE_MARK_STYLE)
    return text


def _missed_cell(missed: int) -> Text:
    return Text(format_missed(missed), style=MISSED_STYLE if missed > 0 else "")


def _status_line(state: TailState, now: float) -> Text:
    link = state.link
    faults = status_parts(state.faults)
    rate = state.messages_per_second(now)
    text = Text(format_status(link, now, rate, state.total_missed, faults))
    state_end = text.plain.find(_SEPARATOR)
    text.stylize(STATE_STYLES[link.state], 0, state_end if state_end >= 0 else len(text))
    if link.heartbeat_overdue(now):
        text.highlight_regex(r"heartbeat overdue[^·]*", OVERDUE_STYLE)
    if state.total_missed > 0:
        text.highlight_regex(r"missed [\d,]+", MISSED_STYLE)
    if faults:
        fault_start = len(text) - len(_SEPARATOR.join(faults))
        text.stylize(FAULT_STYLE, fault_start)
    return text


class _Trend:
    """A sparkline as wide as its column: the newest points that fit, up to 20."""

    def __init__(self, values: Sequence[float]) -> None:
        self.values = values

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        widest = min(len(self.values), TREND_MAX_WIDTH)
        return Measurement(min(widest, TREND_MIN_WIDTH), widest)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield Text(sparkline(self.values, options.max_width), no_wrap=True, overflow="crop")
