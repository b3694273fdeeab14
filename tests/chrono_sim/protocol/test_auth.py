"""Where a handshake's API key comes from: `Authorization: Bearer` or `?api_key=`."""

from __future__ import annotations

import pytest

from chrono_sim.protocol.auth import presented_key

KEY = "chrono_public_dev_key_001"


def test_bearer_header_presents_its_key() -> None:
    assert presented_key(f"Bearer {KEY}", "/stream") == KEY


@pytest.mark.parametrize("scheme", ["bearer", "BEARER", "bEaReR"])
def test_bearer_scheme_is_case_insensitive(scheme: str) -> None:
    assert presented_key(f"{scheme} {KEY}", "/stream") == KEY


@pytest.mark.parametrize(
    "header", [f"Bearer   {KEY}", f"  Bearer {KEY}  ", f"Bearer {KEY}\t", f" Bearer    {KEY} "]
)
def test_whitespace_around_the_bearer_credentials_is_ignored(header: str) -> None:
    assert presented_key(header, "/stream") == KEY


def test_query_parameter_presents_its_key() -> None:
    assert presented_key(None, f"/stream?api_key={KEY}") == KEY


def test_query_parameter_is_percent_decoded() -> None:
    assert presented_key(None, "/stream?api_key=chrono%5Fkey%2F%3D001") == "chrono_key/=001"


def test_query_parameter_is_found_among_others() -> None:
    assert presented_key(None, f"/stream?format=json&api_key={KEY}&x=1") == KEY


def test_header_wins_over_query_parameter() -> None:
    assert presented_key("Bearer from_header", "/stream?api_key=from_query") == "from_header"


@pytest.mark.parametrize("header", [f"Basic {KEY}", f"Token {KEY}", KEY])
def test_non_bearer_header_presents_no_key(header: str) -> None:
    assert presented_key(header, "/stream") is None


def test_non_bearer_header_presents_no_key_even_with_a_query_key() -> None:
    assert presented_key(f"Basic {KEY}", f"/stream?api_key={KEY}") is None


@pytest.mark.parametrize("header", ["Bearer", "Bearer ", "Bearer    ", "", "   "])
def test_header_without_credentials_presents_no_key(header: str) -> None:
    assert presented_key(header, "/stream") is None


@pytest.mark.parametrize("path", ["/stream", "/stream?", "/stream?api_key=", "/stream?api_key"])
def test_no_or_empty_query_parameter_presents_no_key(path: str) -> None:
    assert presented_key(None, path) is None


def test_other_query_parameters_present_no_key() -> None:
    assert presented_key(None, f"/stream?key={KEY}&apikey={KEY}") is None
