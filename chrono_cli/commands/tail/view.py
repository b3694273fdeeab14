"""`chrono tail`'s screen: a Rich table of the symbols and a status line under it.

`render` is a pure function of the state and the time; the text of every cell
comes from `format`, this module only lays it out and colours it.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich import box
from rich.cells import cell_len
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
COLUMNS = ("Symbol", "Price", "Change", "Volume", "Source", "Age", "Trend", "Missed")
LEFT_ALIGNED = frozenset({"Symbol", "Source", "Trend"})
# On a narrow terminal, dropped in this order until the table fits: symbol and price stay.
DROP_ORDER = ("Trend", "Source", "Volume", "Age", "Missed", "Change")
# Cells kept free for what comes and goes: an age that turns `stale`, the first prices
# and changes replacing "waiting…" (typical widths: the table is laid out once, not per update).
RESERVED = {
    "Age": cell_len("9m59s stale"),
    "Price": cell_len("99,999.99"),
    "Change": cell_len("+999.99 (+9.99%)"),
    "Volume": cell_len("999.9M"),
}
STATE_STYLES = {
    "connected": "green",
    "connecting": "yellow",
    "reconnecting": "bold red",
    "stopped": "bold red",
}
OVERDUE_STYLE = "bold yellow"
_SEPARATOR = " · "


def render(
    state: TailState, now: float, title: str, widths: dict[str, int] | None = None
) -> RenderableType:
    """The table, one row per symbol in the state's order, then the status line.

    `widths`, kept by the caller from one screen to the next, holds each column's
    widest cell so far: a column never narrows, so the columns shown stay put.
    """
    return Group(_Table(state, now, title, widths), _status_line(state, now))


class _Table:
    """The symbols' table, with the columns that fit the terminal's width.

    On a narrow terminal the less important columns go first (`DROP_ORDER`), so
    the symbol and its price always show whole. Widths are reserved for what comes
    and goes (the `stale` mark, the sparkline): columns do not jump as it does.
    """

    def __init__(
        self, state: TailState, now: float, title: str, widths: dict[str, int] | None = None
    ) -> None:
        self._title = title
        self._widths = {} if widths is None else widths
        rows = list(state.rows.values())
        stale = [row.is_stale(now) for row in rows]
        self._styles = [STALE_ROW_STYLE if flag else None for flag in stale]
        self._trends = [_Trend(tuple(row.recent)) for row in rows]
        self._cells: dict[str, list[Text]] = {
            "Symbol": [Text(row.symbol) for row in rows],
            "Price": [_price_cell(row) for row in rows],
            "Change": [_change_cell(row) for row in rows],
            "Volume": [Text(format_volume(row.volume)) for row in rows],
            "Source": [Text(row.source or MISSING) for row in rows],
            "Age": [_age_cell(row, now, flag) for row, flag in zip(rows, stale, strict=True)],
            "Missed": [_missed_cell(row.missed) for row in rows],
        }

    def columns(self, width: int) -> tuple[list[str], int]:
        """The columns shown in `width` cells, in order, and the sparkline's width."""
        widths = self._widths
        for header, cells in self._cells.items():
            widest = [cell_len(header), RESERVED.get(header, 0)] + [c.cell_len for c in cells]
            widths[header] = max([*widest, widths.get(header, 0)])
        widths["Trend"] = TREND_MIN_WIDTH

        def needed(shown: list[str]) -> int:
            return sum(widths[header] for header in shown) + len(shown) - 1  # one space between

        shown = list(COLUMNS)
        for header in DROP_ORDER:
            if needed(shown) <= width:
                break
            shown.remove(header)
        spare = max(0, width - needed(shown))
        return shown, min(TREND_MAX_WIDTH, TREND_MIN_WIDTH + spare)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        shown, trend_width = self.columns(options.max_width)
        table = Table(
            title=self._title,
            box=box.SIMPLE_HEAD,  # a rule under the header; one space between columns
            show_edge=False,
            padding=0,
            header_style="bold",
        )
        for header in shown:
            if header == "Trend":
                table.add_column(header, width=trend_width, no_wrap=True)
                continue
            table.add_column(
                header,
                justify="left" if header in LEFT_ALIGNED else "right",
                no_wrap=True,
                overflow="ellipsis",
                min_width=self._widths.get(header),
                style="bold" if header == "Symbol" else "",
            )
        for index, style in enumerate(self._styles):
            table.add_row(
                *(
                    self._trends[index] if header == "Trend" else self._cells[header][index]
                    for header in shown
                ),
                style=style,
            )
        yield table


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
