"""API keys: the built-in development key, each key's limits, constant-time lookup."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

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
