"""What the locust suite shows in locust's screens (loadtests/locust_ui.py).

Locust itself is imported without its gevent patching of the standard library,
which the rest of the test session must not get.
"""

from __future__ import annotations

import os
from types import ModuleType, SimpleNamespace
from typing import TYPE_CHECKING, Any

import pytest

from chrono_sim.client.gaps import SeqKind, SeqTracker
from loadtests.accounting import FeedTally
from loadtests.chrono_load import Probe, ProbeBook, Verdict
from loadtests.locust_ui import TAB_KEY, TabRow, install_tab, tab_rows, take_back

if TYPE_CHECKING:
    from locust.stats import RequestStats

flask = pytest.importorskip("flask")

MISSED = "missed update (seq gap)"


@pytest.fixture(scope="module")
def locust_stats() -> ModuleType:
    previous = os.environ.get("LOCUST_SKIP_MONKEY_PATCH")
    os.environ["LOCUST_SKIP_MONKEY_PATCH"] = "1"
    try:
        module: ModuleType = pytest.importorskip("locust.stats")
    finally:
        if previous is None:
            del os.environ["LOCUST_SKIP_MONKEY_PATCH"]
    return module


def new_stats(module: ModuleType) -> RequestStats:
    stats: RequestStats = module.RequestStats()
    return stats


# --- the stats table agrees with the feed summary ---


def test_a_late_update_that_fills_a_gap_is_taken_back_out_of_missed(
    locust_stats: ModuleType,
) -> None:
    """What FeedUser does: an entry per update a gap skips, one taken back per late arrival."""
    stats, tally, tracker = new_stats(locust_stats), FeedTally(), SeqTracker()
    seqs = [1, 4, 2, 7, 3, 5, 9, 10]  # gaps 2-3, 5-6, 8; 2, 3 and 5 come late
    for seq in seqs:
        verdict = tally.observe(tracker, "BTC/USD", seq)
        stats.log_request("FEED", "update latency", 3, 100)
        if verdict.kind is SeqKind.GAP:
            for _ in range(verdict.missed):
                stats.log_request("FEED", MISSED, 0, 0)
        elif verdict.kind is SeqKind.OUT_OF_ORDER:
            stats.log_request("FEED", "out of order update", 0, 0)
            if verdict.missed < 0:
                take_back(stats, "FEED", MISSED, -verdict.missed)
    entry = stats.get(MISSED, "FEED")
    assert (tally.missed, tally.out_of_order) == (2, 3)  # 6 and 8, as the summary says
    assert entry.num_requests == tally.missed
    assert stats.get("out of order update", "FEED").num_requests == 3
    assert stats.total.num_requests == len(seqs) + tally.missed + tally.out_of_order
    assert sum(entry.num_reqs_per_sec.values()) == tally.missed
    assert sum(stats.total.num_reqs_per_sec.values()) == stats.total.num_requests
    assert entry.response_times == {0: 2}


def test_take_back_never_goes_below_what_was_logged(locust_stats: ModuleType) -> None:
    stats = new_stats(locust_stats)
    assert take_back(stats, "FEED", MISSED) == 0  # no such entry yet
    stats.log_request("FEED", MISSED, 0, 0)
    stats.log_request("FEED", MISSED, 0, 0)  # as locust logs a failure: a request, an error
    stats.log_error("FEED", MISSED, "a failure is not taken back")
    assert take_back(stats, "FEED", MISSED, 5) == 1
    entry = stats.get(MISSED, "FEED")
    assert (entry.num_requests, entry.num_failures) == (1, 1)
    assert stats.total.num_requests == 1
    assert take_back(stats, "FEED", MISSED) == 0


# --- the verdicts tab ---


def test_the_tab_lists_each_probes_verdict_then_the_feed_and_the_accounting() -> None:
    book = ProbeBook()
    book.expect(Probe.CONNECTIONS)
    book.expect(Probe.SYMBOLS)
    book.record(Probe.CONNECTIONS, Verdict(True, "10 admitted, the 11th refused"))
    summary = "feed: 1,000 updates received, 3 missed (0.30%) by seq gaps, 0 disconnect(s)"
    rows = tab_rows(book.report(ended=False), summary, ["UNACCOUNTED duplicates: clients saw 2"])
    assert rows == [
        {"verdict": "PASS", "detail": "connections per key: 10 admitted, the 11th refused"},
        {"verdict": "PENDING", "detail": rows[1]["detail"]},
        {"verdict": "feed", "detail": summary.removeprefix("feed: ")},
        {"verdict": "UNACCOUNTED", "detail": "duplicates: clients saw 2"},
    ]
    assert rows[1]["detail"].startswith("symbols per connection: no result yet")
    assert tab_rows(book.report(), summary, [])[1]["verdict"] == "NOT RUN"  # the run ended


def web_ui() -> Any:
    """What `install_tab` uses of locust's WebUI: its Flask app and its template arguments."""
    app = flask.Flask(__name__)
    report = {"stats": [], "errors": [], "state": "running"}
    app.add_url_rule("/stats/requests", "requests", lambda: flask.jsonify(report))
    app.add_url_rule("/other", "other", lambda: flask.jsonify({"x": 1}))
    return SimpleNamespace(app=app, template_args={"extended_tabs": [{"key": "theirs"}]})


def test_the_tab_is_declared_and_filled_at_each_poll_of_the_stats() -> None:
    ui = web_ui()
    rows = [TabRow(verdict="PASS", detail="first")]
    install_tab(ui, lambda: rows)
    assert ui.template_args["extended_tabs"] == [
        {"key": "theirs"},
        {"title": "Chrono verdicts", "key": TAB_KEY},
    ]
    (table,) = ui.template_args["extended_tables"]
    assert table["key"] == TAB_KEY
    assert [column["key"] for column in table["structure"]] == ["verdict", "detail"]
    client = ui.app.test_client()
    report = client.get("/stats/requests").get_json()
    assert report["state"] == "running"  # locust's own report, kept
    assert report["extended_stats"] == [{"key": TAB_KEY, "data": rows}]
    rows = [TabRow(verdict="FAIL", detail="then")]
    assert client.get("/stats/requests").get_json()["extended_stats"][0]["data"] == rows
    assert "extended_stats" not in client.get("/other").get_json()
