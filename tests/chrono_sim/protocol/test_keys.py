"""API keys: the development key, constant-time lookup, redaction."""

from __future__ import annotations

import pytest

from chrono_sim.errors import KeysFileError
from chrono_sim.protocol.keys import (
    DEFAULT_MAX_CONNECTIONS,
    DEFAULT_RATE_LIMIT_PER_MINUTE,
    DEV_KEY,
    ApiKey,
    KeyStore,
    redact,
)


def test_development_key_is_the_documented_one() -> None:
    assert DEV_KEY == "chrono_public_dev_key_001"


def test_development_store_knows_exactly_the_development_key() -> None:
    store = KeyStore.development()

    assert [api_key.key for api_key in store] == [DEV_KEY]


def test_development_key_has_the_default_limits() -> None:
    api_key = KeyStore.development().lookup(DEV_KEY)

    assert api_key is not None
    assert api_key.max_connections == DEFAULT_MAX_CONNECTIONS == 10
    assert api_key.rate_limit_per_minute == DEFAULT_RATE_LIMIT_PER_MINUTE == 120


@pytest.mark.parametrize(
    "presented",
    [
        "",
        "chrono_public_dev_key_002",
        "chrono_public_dev_key_00",
        "chrono_public",
        "c",
        DEV_KEY + "1",
        DEV_KEY + " ",
        " " + DEV_KEY,
        DEV_KEY.upper(),
    ],
)
def test_lookup_of_any_other_key_finds_nothing(presented: str) -> None:
    assert KeyStore.development().lookup(presented) is None


def test_lookup_of_a_string_with_lone_surrogates_finds_nothing() -> None:
    assert KeyStore.development().lookup("chrono_\udcff") is None


# --- the keys file -----------------------------------------------------------


def test_duplicate_keys_are_refused() -> None:
    api_key = ApiKey(key="team_key_0123456789", name="a")

    with pytest.raises(KeysFileError):
        KeyStore([api_key, ApiKey(key="team_key_0123456789", name="b")])


@pytest.mark.parametrize("length", range(1, 41))
def test_redacted_form_never_contains_the_full_key(length: int) -> None:
    key = (DEV_KEY * 2)[:length]

    assert key not in redact(key)


@pytest.mark.parametrize("length", range(1, 41))
def test_redacted_form_hides_most_of_any_key(length: int) -> None:
    key = (DEV_KEY * 2)[:length]
    shown = redact(key).replace("…", "").replace("***", "")

    assert len(shown) < length / 2


def test_repr_of_an_api_key_does_not_contain_the_key() -> None:
    api_key = ApiKey(key="secret_key_0123456789", name="Team")

    assert "secret_key_0123456789" not in repr(api_key)


def test_api_key_offers_a_redacted_form() -> None:
    api_key = ApiKey(key="secret_key_0123456789", name="Team")

    assert api_key.redacted == redact("secret_key_0123456789")
