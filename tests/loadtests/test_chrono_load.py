"""The locust suite's pure logic (loadtests/chrono_load.py); runs without locust installed."""

from __future__ import annotations

from pathlib import Path

import pytest

from chrono_sim.protocol.keys import ApiKey
from chrono_sim.settings.keys_file import load_keys
from loadtests.chrono_load import (
    KeyPool,
    Probe,
    ProbeBook,
    SuiteKeys,
    Verdict,
    idle_window,
    judge_idle,
    judge_rate,
    latency_ms,
    parse_catalog,
    stream_url,
    symbols_url,
)

KEYS_FILE = Path(__file__).parents[2] / "loadtests" / "keys.toml"


def _key(name: str, max_connections: int = 10) -> ApiKey:
    return ApiKey(key=f"key-of-{name}", name=name, max_connections=max_connections)


# --- addresses ---


@pytest.mark.parametrize(
    ("host", "url"),
    [
        (None, "ws://127.0.0.1:3000/stream"),
        ("ws://127.0.0.1:3000", "ws://127.0.0.1:3000/stream"),
        ("ws://127.0.0.1:3000/", "ws://127.0.0.1:3000/stream"),
        ("wss://staging.example/api/stream", "wss://staging.example/api/stream"),
    ],
)
def test_stream_url_defaults_the_path(host: str | None, url: str) -> None:
    assert stream_url(host) == url


def test_stream_url_wants_a_websocket_scheme() -> None:
    with pytest.raises(ValueError, match="ws://"):
        stream_url("http://127.0.0.1:3000/stream")


@pytest.mark.parametrize(
    ("stream", "symbols"),
    [
        ("ws://127.0.0.1:3000/stream", "http://127.0.0.1:3000/symbols"),
        ("wss://staging.example/api/stream?api_key=x", "https://staging.example/api/symbols"),
    ],
)
def test_the_catalog_sits_beside_the_stream(stream: str, symbols: str) -> None:
    assert symbols_url(stream) == symbols


def test_parse_catalog_keeps_the_names() -> None:
    body = {"symbols": [{"symbol": "BTC/USD", "last_price": 1.0}, {"symbol": ""}, "junk"]}
    assert parse_catalog(body) == ["BTC/USD"]
    with pytest.raises(ValueError, match="symbols"):
        parse_catalog(["BTC/USD"])


# --- latency ---


def test_latency_is_receive_time_minus_timestamp_in_whole_ms() -> None:
    assert latency_ms(1_760_106_600.0459, "2025-10-10T14:30:00.012Z") == 33
    assert latency_ms(1_760_106_600.012, "2025-10-10T14:30:00.012Z") == 0


def test_latency_is_negative_when_the_server_clock_is_ahead() -> None:
    assert latency_ms(1_760_106_600.0, "2025-10-10T14:30:00.250Z") == -250


@pytest.mark.parametrize("text", ["yesterday", "2025-10-10T14:30:00.000"])
def test_a_bad_timestamp_is_a_value_error(text: str) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - the message is datetime's
        latency_ms(0.0, text)


# --- keys ---


def test_the_pool_spreads_users_and_never_overfills_a_key() -> None:
    keys = [_key(f"load-{n}") for n in range(30)]
    pool = KeyPool(keys)
    taken = [pool.acquire() for _ in range(200)]
    assert all(key is not None for key in taken)
    assert max(pool.held(key) for key in keys) == 7  # 200 over 30, evenly
    for _ in range(100):
        pool.acquire()
    assert pool.acquire() is None  # 300 slots, all held
    pool.release(keys[3])
    assert pool.acquire() == keys[3]


def test_the_pool_honours_each_keys_own_limit() -> None:
    small, large = _key("load-small", 1), _key("load-large", 3)
    pool = KeyPool([small, large])
    assert [pool.acquire() for _ in range(5)].count(None) == 1
    assert (pool.held(small), pool.held(large)) == (1, 3)


def test_the_shipped_keys_file_provisions_the_suite() -> None:
    api_keys = list(load_keys(KEYS_FILE))
    keys = SuiteKeys.from_keys(api_keys)
    assert keys.feed_capacity >= 200  # the README's -u 200, none refused
    assert set(keys.probes) == set(Probe)
    assert keys.probes[Probe.CONNECTIONS].max_connections == 10
    assert keys.probes[Probe.RATE].rate_limit_per_minute < 20  # a quick probe
    probe_keys = {api_key.key for api_key in keys.probes.values()}
    assert not probe_keys & {api_key.key for api_key in keys.load}
    assert any(api_key.key == "chrono_public_dev_key_001" for api_key in api_keys)


# --- probes ---


def test_probe_entries_sort_together() -> None:
    assert [probe.entry for probe in Probe] == [
        "limit: connections per key",
        "limit: symbols per connection",
        "limit: request rate per key",
        "limit: idle timeout",
    ]
    assert Probe.RATE.key_name == "probe-rate"


def test_a_probe_expected_but_never_finished_fails_the_run() -> None:
    book = ProbeBook()
    book.expect(Probe.CONNECTIONS)
    book.expect(Probe.SYMBOLS)
    book.record(Probe.CONNECTIONS, Verdict(True, "fine"))
    assert not book.ok
    assert book.not_run == [Probe.SYMBOLS]
    assert book.report()[1].startswith("NOT RUN symbols per connection")


def test_a_skipped_probe_does_not_fail_the_run_but_a_failed_one_does() -> None:
    book = ProbeBook()
    book.expect(Probe.IDLE)
    book.skip(Probe.IDLE, "no --idle-timeout")
    book.expect(Probe.RATE)
    book.record(Probe.RATE, Verdict(True, "held"))
    assert book.ok
    assert book.report() == [
        "PASS request rate per key: held",
        "SKIPPED idle timeout: no --idle-timeout",
    ]
    book.record(Probe.RATE, Verdict(False, "7 accepted"))
    assert not book.ok
    assert book.failed == [Probe.RATE]


def test_the_rate_probe_passes_a_refusal_at_the_limit() -> None:
    verdict = judge_rate(limit_per_minute=6, accepted=6, elapsed=0.05, refusal="RATE_LIMITED")
    assert verdict.passed
    assert "was the key used" not in verdict.detail


def test_the_rate_probe_allows_what_refilled_during_the_burst() -> None:
    # 120 per minute refills 2 per second: 1.5 s of burst may take 3 more.
    assert judge_rate(
        limit_per_minute=120, accepted=123, elapsed=1.5, refusal="RATE_LIMITED"
    ).passed
    assert not judge_rate(
        limit_per_minute=120, accepted=124, elapsed=1.5, refusal="RATE_LIMITED"
    ).passed


@pytest.mark.parametrize(
    ("accepted", "refusal", "words"),
    [(17, None, "none refused"), (3, "VALIDATION_ERROR", "expected RATE_LIMITED")],
)
def test_the_rate_probe_fails_when_the_limit_does_not_hold(
    accepted: int, refusal: str | None, words: str
) -> None:
    verdict = judge_rate(limit_per_minute=6, accepted=accepted, elapsed=0.1, refusal=refusal)
    assert not verdict.passed
    assert words in verdict.detail


def test_a_partly_drained_bucket_still_passes_and_says_so() -> None:
    verdict = judge_rate(limit_per_minute=6, accepted=2, elapsed=0.01, refusal="RATE_LIMITED")
    assert verdict.passed
    assert "fewer than the limit" in verdict.detail


def test_the_idle_probe_wants_4408_within_the_window() -> None:
    earliest, latest = idle_window(2.0)
    assert earliest < 2.0 < latest
    assert judge_idle(expected=2.0, elapsed=2.01, close_code=4408).passed
    assert not judge_idle(expected=2.0, elapsed=2.01, close_code=1000).passed
    assert not judge_idle(expected=2.0, elapsed=0.5, close_code=4408).passed  # too early
    assert not judge_idle(expected=2.0, elapsed=None, close_code=None).passed  # never closed
