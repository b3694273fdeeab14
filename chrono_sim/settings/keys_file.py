"""Reading the API keys file (TOML `[[key]]` tables, see decisions.md) into a `KeyStore`."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from chrono_sim.errors import KeysFileError
from chrono_sim.protocol.keys import (
    DEFAULT_MAX_CONNECTIONS,
    DEFAULT_RATE_LIMIT_PER_MINUTE,
    ApiKey,
    KeyStore,
    redact,
)


def load_keys(path: Path) -> KeyStore:
    """Read a keys file (`[[key]]` tables, see decisions.md); raises `KeysFileError`."""
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise KeysFileError(f"cannot read keys file {path}: {exc.strerror or exc}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise KeysFileError(f"keys file {path} is not valid TOML: {exc}") from None
    entries = document.get("key")
    if not isinstance(entries, list) or not entries:
        raise KeysFileError(f"keys file {path} has no [[key]] entries")
    parsed = [_parse_entry(path, index, entry) for index, entry in enumerate(entries, 1)]
    try:
        return KeyStore(parsed)
    except KeysFileError as exc:
        raise KeysFileError(f"keys file {path}: {exc}") from None


def _parse_entry(path: Path, index: int, entry: Any) -> ApiKey:
    where = f"keys file {path}, [[key]] #{index}"
    if not isinstance(entry, dict):
        raise KeysFileError(f"{where}: expected a table")
    unknown = set(entry) - {"key", "name", "max_connections", "rate_limit_per_minute"}
    if unknown:
        raise KeysFileError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    key = entry.get("key")
    if not isinstance(key, str) or not key.strip():
        raise KeysFileError(f"{where}: `key` must be a non-empty string")
    name = entry.get("name", redact(key))
    if not isinstance(name, str):
        raise KeysFileError(f"{where}: `name` must be a string")
    limits = {}
    for limit, default in (
        ("max_connections", DEFAULT_MAX_CONNECTIONS),
        ("rate_limit_per_minute", DEFAULT_RATE_LIMIT_PER_MINUTE),
    ):
        value = entry.get(limit, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise KeysFileError(f"{where}: `{limit}` must be a positive integer")
        limits[limit] = value
    return ApiKey(key=key, name=name, **limits)
