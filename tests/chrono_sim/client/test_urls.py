"""A stream's URL: one check of it for every client, and the HTTP endpoints beside it."""

from __future__ import annotations

import ssl
import urllib.error
import urllib.request
from typing import Any

import pytest

from chrono_sim.client.symbols import fetch_symbols
from chrono_sim.client.urls import check_tls_url, parse_stream_url, sibling_url
from chrono_sim.errors import InvalidUrlError, SymbolsUnavailableError


@pytest.mark.parametrize(
    ("stream", "endpoint"),
    [
        ("ws://127.0.0.1:3000/stream", "http://127.0.0.1:3000/symbols"),
        ("ws://127.0.0.1:3000", "http://127.0.0.1:3000/symbols"),
        ("wss://example.test/stream", "https://example.test/symbols"),
    ],
)
def test_an_endpoint_sits_beside_the_stream_over_the_matching_scheme(
    stream: str, endpoint: str
) -> None:
    assert sibling_url(stream, "symbols") == endpoint


def test_an_endpoint_keeps_the_streams_path_prefix_as_behind_a_reverse_proxy() -> None:
    assert (
        sibling_url("wss://example.test/api/stream", "metrics")
        == "https://example.test/api/metrics"
    )


def test_an_endpoint_drops_the_streams_query() -> None:
    assert sibling_url("ws://h:1/stream?api_key=secret", "symbols") == "http://h:1/symbols"


def test_the_symbol_list_is_fetched_beside_the_stream_behind_its_prefix(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked: list[str] = []

    def refuse(url: str, **_: Any) -> None:
        asked.append(url)
        raise urllib.error.URLError("refused")

    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    with pytest.raises(SymbolsUnavailableError):
        fetch_symbols("ws://example.test:3000/api/stream")
    assert asked == ["http://example.test:3000/api/symbols"]


@pytest.mark.parametrize("url", ["http://host/stream", "localhost:3000/stream", "ws:///stream"])
def test_only_a_websocket_url_with_a_host_is_a_stream(url: str) -> None:
    with pytest.raises(InvalidUrlError, match="not a WebSocket URL"):
        parse_stream_url(url)


def test_a_tls_context_needs_a_wss_url_in_one_message() -> None:
    with pytest.raises(InvalidUrlError) as raised:
        check_tls_url("ws://localhost:3000/stream")
    assert str(raised.value) == "--cafile needs a wss:// URL, not 'ws://localhost:3000/stream'"
    check_tls_url("wss://localhost:3000/stream")


def test_the_feed_client_and_the_checker_refuse_a_tls_context_alike() -> None:
    from chrono_sim.client import FeedClient
    from chrono_sim.conformance import CheckSettings

    context = ssl.create_default_context()
    url = "ws://localhost:3000/stream"
    with pytest.raises(InvalidUrlError) as by_client:
        FeedClient(url, api_key="k", symbols=["BTC/USD"], ssl=context)
    with pytest.raises(InvalidUrlError) as by_checker:
        CheckSettings(url=url, api_key="k", ssl=context)
    assert str(by_client.value) == str(by_checker.value)
