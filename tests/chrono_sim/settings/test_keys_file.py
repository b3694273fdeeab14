"""The keys file: TOML `[[key]]` tables read into a `KeyStore`, each fault named with the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from chrono_sim.errors import ConfigError, KeysFileError
from chrono_sim.protocol.keys import (
    DEFAULT_MAX_CONNECTIONS,
    DEFAULT_RATE_LIMIT_PER_MINUTE,
    DEV_KEY,
    ApiKey,
    redact,
)
from chrono_sim.settings.keys_file import load_keys

DECISIONS_EXAMPLE = """\
[[key]]
key = "chrono_public_dev_key_001"
name = "Public development key"
max_connections = 10
rate_limit_per_minute = 120
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "keys.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _load_error(path: Path) -> KeysFileError:
    with pytest.raises(KeysFileError) as caught:
        load_keys(path)
    return caught.value


# --- the development store ---------------------------------------------------


def test_keys_file_in_the_decisions_format_is_loaded(tmp_path: Path) -> None:
    store = load_keys(_write(tmp_path, DECISIONS_EXAMPLE))

    assert list(store) == [
        ApiKey(
            key="chrono_public_dev_key_001",
            name="Public development key",
            max_connections=10,
            rate_limit_per_minute=120,
        )
    ]


def test_keys_file_replaces_the_development_key(tmp_path: Path) -> None:
    store = load_keys(_write(tmp_path, '[[key]]\nkey = "team_key_0123456789"\n'))

    assert store.lookup(DEV_KEY) is None
    assert store.lookup("team_key_0123456789") is not None


def test_keys_file_may_hold_several_keys_with_their_own_limits(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """\
[[key]]
key = "first_key_0123456789"
max_connections = 2

[[key]]
key = "second_key_0123456789"
rate_limit_per_minute = 600
""",
    )
    store = load_keys(path)

    first = store.lookup("first_key_0123456789")
    second = store.lookup("second_key_0123456789")
    assert len(store) == 2
    assert first is not None
    assert (first.max_connections, first.rate_limit_per_minute) == (2, 120)
    assert second is not None
    assert (second.max_connections, second.rate_limit_per_minute) == (10, 600)


def test_missing_limits_take_the_defaults(tmp_path: Path) -> None:
    store = load_keys(_write(tmp_path, '[[key]]\nkey = "team_key_0123456789"\n'))

    api_key = store.lookup("team_key_0123456789")
    assert api_key is not None
    assert api_key.max_connections == DEFAULT_MAX_CONNECTIONS
    assert api_key.rate_limit_per_minute == DEFAULT_RATE_LIMIT_PER_MINUTE


def test_missing_name_defaults_to_the_redacted_key(tmp_path: Path) -> None:
    store = load_keys(_write(tmp_path, '[[key]]\nkey = "team_key_0123456789"\n'))

    api_key = store.lookup("team_key_0123456789")
    assert api_key is not None
    assert api_key.name == redact("team_key_0123456789")


def test_keys_file_error_is_a_config_error() -> None:
    assert issubclass(KeysFileError, ConfigError)


def test_missing_keys_file_is_reported_with_its_name(tmp_path: Path) -> None:
    path = tmp_path / "absent.toml"

    assert str(path) in str(_load_error(path))


def test_directory_as_keys_file_is_reported_with_its_name(tmp_path: Path) -> None:
    assert str(tmp_path) in str(_load_error(tmp_path))


@pytest.mark.parametrize(
    "text",
    ["[[key]\nkey = 1\n", 'key = "unterminated\n', "[[key]]\nkey = 'a'\nkey = 'b'\n"],
    ids=["bad-header", "unterminated-string", "duplicate-field"],
)
def test_invalid_toml_is_reported_with_the_file_name(tmp_path: Path, text: str) -> None:
    path = _write(tmp_path, text)

    error = _load_error(path)

    assert str(path) in str(error)
    assert "TOML" in str(error)


def test_file_that_is_not_utf8_is_reported_with_its_name(tmp_path: Path) -> None:
    path = tmp_path / "keys.toml"
    path.write_bytes(b'[[key]]\nkey = "\xff\xfe"\n')

    assert str(path) in str(_load_error(path))


@pytest.mark.parametrize(
    "text",
    ["", "# nothing here\n", 'key = "chrono_public_dev_key_001"\n', "key = []\n", "[key]\n"],
    ids=["empty", "comment-only", "top-level-string", "empty-array", "plain-table"],
)
def test_file_without_key_entries_is_reported_with_its_name(tmp_path: Path, text: str) -> None:
    path = _write(tmp_path, text)

    error = _load_error(path)

    assert str(path) in str(error)
    assert "[[key]]" in str(error)


@pytest.mark.parametrize(
    "entry",
    ['name = "no key here"', 'key = ""', 'key = "   "', "key = 42", "key = true"],
    ids=["missing", "empty", "blank", "integer", "bool"],
)
def test_entry_without_a_usable_key_is_reported_with_the_file_name(
    tmp_path: Path, entry: str
) -> None:
    path = _write(tmp_path, f"[[key]]\n{entry}\n")

    error = _load_error(path)

    assert str(path) in str(error)
    assert "`key`" in str(error)


def test_entry_with_a_non_string_name_is_reported_with_the_file_name(tmp_path: Path) -> None:
    path = _write(tmp_path, '[[key]]\nkey = "team_key_0123456789"\nname = 3\n')

    assert str(path) in str(_load_error(path))


@pytest.mark.parametrize("limit", ["max_connections", "rate_limit_per_minute"])
@pytest.mark.parametrize("value", ["0", "-1", "true", "false", "1.5", "10.0", '"10"'])
def test_limit_that_is_not_a_positive_integer_is_reported(
    tmp_path: Path, limit: str, value: str
) -> None:
    path = _write(tmp_path, f'[[key]]\nkey = "team_key_0123456789"\n{limit} = {value}\n')

    error = _load_error(path)

    assert str(path) in str(error)
    assert limit in str(error)


def test_unknown_field_is_reported_by_name(tmp_path: Path) -> None:
    path = _write(tmp_path, '[[key]]\nkey = "team_key_0123456789"\nmax_conections = 5\n')

    error = _load_error(path)

    assert str(path) in str(error)
    assert "max_conections" in str(error)


def test_the_faulty_entry_is_identified_by_its_position(tmp_path: Path) -> None:
    path = _write(tmp_path, '[[key]]\nkey = "team_key_0123456789"\n\n[[key]]\nkey = ""\n')

    assert "#2" in str(_load_error(path))


def test_duplicate_keys_in_a_file_are_reported_with_the_file_name(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        '[[key]]\nkey = "team_key_0123456789"\n\n[[key]]\nkey = "team_key_0123456789"\n',
    )

    assert str(path) in str(_load_error(path))


def test_duplicate_key_error_does_not_show_the_key(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        '[[key]]\nkey = "team_key_0123456789"\n\n[[key]]\nkey = "team_key_0123456789"\n',
    )

    assert "team_key_0123456789" not in str(_load_error(path))


# --- never showing a key in full ---------------------------------------------
