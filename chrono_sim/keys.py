"""API keys: the built-in development key, the TOML keys file, constant-time lookup."""

from __future__ import annotations

import hashlib
import hmac
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chrono_sim.errors import KeysFileError

DEV_KEY = "chrono_public_dev_key_001"
DEFAULT_MAX_CONNECTIONS = 10
DEFAULT_RATE_LIMIT_PER_MINUTE = 120


@dataclass(frozen=True, slots=True, kw_only=True)
class ApiKey:
    """One key and its limits. Its `repr` never shows the key in full."""

    key: str = field(repr=False)
    name: str
    max_connections: int = DEFAULT_MAX_CONNECTIONS
    rate_limit_per_minute: int = DEFAULT_RATE_LIMIT_PER_MINUTE

    @property
    def redacted(self) -> str:
        return redact(self.key)


def redact(key: str) -> str:
    """A log-safe form of a key: enough to tell keys apart, too little to use one.

    At most 9 characters show, and only of keys long enough that most stay hidden.
    """
    if len(key) < 20:
        return "***"
    return f"{key[:6]}…{key[-3:]}"


def _digest(key: str) -> bytes:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).digest()


class KeyStore:
    """The keys a server accepts.

    Lookup goes through a SHA-256 digest and ends in `hmac.compare_digest`, so
    the time it takes says nothing about how much of a guess was right.
    """

    def __init__(self, keys: Iterable[ApiKey]) -> None:
        self._by_digest: dict[bytes, ApiKey] = {}
        for api_key in keys:
            digest = _digest(api_key.key)
            if digest in self._by_digest:
                raise KeysFileError(f"key {api_key.redacted} is listed twice")
            self._by_digest[digest] = api_key

    @classmethod
    def development(cls) -> KeyStore:
        """The store a server uses without a keys file: the public development key only."""
        return cls([ApiKey(key=DEV_KEY, name="Public development key")])

    def lookup(self, presented: str) -> ApiKey | None:
        candidate = self._by_digest.get(_digest(presented))
        if candidate is not None and hmac.compare_digest(
            candidate.key.encode("utf-8", "surrogatepass"),
            presented.encode("utf-8", "surrogatepass"),
        ):
            return candidate
        return None

    def __iter__(self) -> Iterator[ApiKey]:
        return iter(self._by_digest.values())

    def __len__(self) -> int:
        return len(self._by_digest)


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
