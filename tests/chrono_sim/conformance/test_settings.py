"""What `chrono check` is told about a server, and the catalogue of rules it checks."""

from __future__ import annotations

import ssl
from collections import Counter

import pytest

from chrono_sim.conformance import ALL_CHECKS, CheckSettings, Phase
from chrono_sim.conformance.probe import Auth
from chrono_sim.conformance.settings import timer_slack
from chrono_sim.errors import ConfigError, InvalidUrlError


@pytest.mark.parametrize("url", ["http://host/stream", "localhost:3000/stream", "ws:///stream"])
def test_only_websocket_urls_are_checked(url: str) -> None:
    with pytest.raises(InvalidUrlError):
        CheckSettings(url=url, api_key="k")


def test_a_ca_file_needs_a_wss_url() -> None:
    with pytest.raises(InvalidUrlError, match="--cafile needs a wss:// URL"):
        CheckSettings(url="ws://host/stream", api_key="k", ssl=ssl.create_default_context())


def test_the_symbol_limit_needs_eleven_known_symbols() -> None:
    with pytest.raises(ConfigError):
        CheckSettings(url="ws://host/stream", api_key="k", symbols=("BTC/USD",) * 11)


def test_one_token_takes_half_a_second_at_120_a_minute() -> None:
    assert CheckSettings(url="ws://host/stream", api_key="k").token_period == 0.5


@pytest.mark.parametrize(("interval", "slack"), [(0.5, 1.0), (30, 3.0), (300, 30.0)])
def test_a_timer_may_be_ten_percent_late_and_always_a_second(interval: float, slack: float) -> None:
    assert timer_slack(interval) == slack


def test_the_key_goes_in_the_query_string_url_encoded() -> None:
    assert Auth(query_key="k y").url("ws://h/stream?a=1") == "ws://h/stream?a=1&api_key=k+y"
    assert Auth(query_key="k").url("ws://h/stream") == "ws://h/stream?api_key=k"


def test_the_key_goes_in_the_header_as_given() -> None:
    assert Auth.bearer("k", scheme="bearer").headers() == [("Authorization", "bearer k")]
    assert Auth().headers() == []


def test_every_rule_has_its_own_id_and_name() -> None:
    ids = Counter(check.id for check in ALL_CHECKS)
    rules = Counter(check.rule for check in ALL_CHECKS)

    assert [item for item, count in (ids + rules).items() if count > 1] == []


def test_the_rate_checks_run_after_everything_else_but_the_timestamps() -> None:
    phases = [check.phase for check in ALL_CHECKS]

    assert phases.count(Phase.LIMITS) == 1
    assert [c.id for c in ALL_CHECKS if c.phase is Phase.RATE] == [
        "rate-limit-requests",
        "rate-limit-connect",
        "rate-limit-refill",
    ]
    assert [c.id for c in ALL_CHECKS if c.phase is Phase.SUMMARY] == ["timestamps"]


def test_checks_that_wait_on_server_timers_start_first() -> None:
    assert {check.id for check in ALL_CHECKS if check.long} == {
        "unsubscribe-no-leak",
        "heartbeat",
        "idle-timeout",
    }
