"""What the suite shows in locust's own screens: its stats table and its web UI.

`take_back` keeps the stats table in step with the feed summary: a gap counted
missed when it opened is taken back out when a late update fills it. `install_tab`
adds a "Chrono verdicts" tab to the web UI, beside Statistics, with the probes'
verdicts, the feed summary and (with --faults, once the run stops) the loss
accounting: otherwise they are only logged when locust quits.

Imports neither locust nor another module of the suite, so the tests
(`tests/loadtests/test_locust_ui.py`) import it without gevent's patching.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TypedDict

if TYPE_CHECKING:  # importing locust patches the standard library (gevent): not in tests
    from flask import Response
    from locust.stats import RequestStats
    from locust.web import WebUI

TAB_KEY = "chrono-verdicts"
# The first word(s) of a line that are its verdict, in the tab's first column.
VERDICTS = ("NOT RUN", "PENDING", "PASS", "FAIL", "SKIPPED", "UNACCOUNTED", "accounted", "note")


class TabRow(TypedDict):
    verdict: str
    detail: str


def take_back(stats: RequestStats, method: str, name: str, count: int = 1) -> int:
    """Remove up to `count` successful entries logged earlier as (`method`, `name`).

    For an entry logged with response time 0 whose cause turned out not to be one
    (a missed update that arrived late): its row and the total row both lose them.
    Returns how many were taken back (none from an entry already reset or sent on
    to a master).
    """
    entry = stats.entries.get((name, method))
    if entry is None or count <= 0:
        return 0
    taken = min(count, entry.num_requests - entry.num_failures, entry.response_times.get(0, 0))
    if taken <= 0:
        return 0
    for row in (entry, stats.total):
        row.num_requests -= taken
        _lower(row.response_times, 0, taken)
        left = taken
        for second in sorted(row.num_reqs_per_sec, reverse=True):  # the latest first
            if left == 0:
                break
            lowered = min(left, row.num_reqs_per_sec[second])
            _lower(row.num_reqs_per_sec, second, lowered)
            left -= lowered
    return taken


def tab_rows(
    probe_lines: Sequence[str], feed_summary: str, accounting: Sequence[str]
) -> list[TabRow]:
    """The tab's rows: a verdict per probe, then the feed summary, then the loss accounting."""
    rows = [_split(line) for line in probe_lines]
    rows.append(TabRow(verdict="feed", detail=feed_summary.removeprefix("feed: ")))
    rows += [_split(line) for line in accounting]
    return rows


def install_tab(web_ui: WebUI, rows: Callable[[], list[TabRow]]) -> None:
    """Add the "Chrono verdicts" tab to `web_ui`; `rows` is asked for its content at each poll."""
    args = web_ui.template_args
    args["extended_tabs"] = [
        *args.get("extended_tabs", []), {"title": "Chrono verdicts", "key": TAB_KEY},
    ]  # fmt: skip
    structure = [{"key": "verdict", "title": "Verdict"}, {"key": "detail", "title": "Detail"}]
    args["extended_tables"] = [
        *args.get("extended_tables", []), {"key": TAB_KEY, "structure": structure},
    ]  # fmt: skip

    from flask import request  # noqa: PLC0415 - locust brings Flask; the module loads without it

    def add_rows(response: Response) -> Response:
        # The UI polls /stats/requests; its `extended_stats` fill the extended tables.
        if request.path != "/stats/requests" or not response.is_json:
            return response
        report = response.get_json()
        extended = [
            entry
            for entry in report.get("extended_stats", [])
            if isinstance(entry, dict) and entry.get("key") != TAB_KEY
        ]
        extended.append({"key": TAB_KEY, "data": rows()})
        response.set_data(json.dumps({**report, "extended_stats": extended}))
        return response

    if web_ui.app is not None:
        web_ui.app.after_request(add_rows)


def _split(line: str) -> TabRow:
    for verdict in VERDICTS:
        if line.startswith(verdict + " "):
            return TabRow(verdict=verdict, detail=line.removeprefix(verdict + " "))
    return TabRow(verdict="", detail=line)


def _lower(counts: dict[int, int], key: int, by: int) -> None:
    left = counts.get(key, 0) - by
    if left > 0:
        counts[key] = left
    else:
        counts.pop(key, None)
