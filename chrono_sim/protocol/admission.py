"""Who may connect: key, then request rate, then the key's open connections.

Per-key state (the token bucket and the count of open connections) is shared
by all of a key's connections. An admitted connection holds a `Lease` that it
must `release()` when it ends; a refused one never counts as open.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from msgspec import UNSET

from chrono_sim.protocol.clock import Clock
from chrono_sim.protocol.keys import ApiKey, KeyStore
from chrono_sim.protocol.messages import CloseCode, Error, ErrorCode
from chrono_sim.protocol.ratelimit import TokenBucket


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a connection was turned away: the `error` to send, then the close code."""

    code: ErrorCode
    message: str
    close_code: CloseCode
    close_reason: str
    retry_after_ms: int | None = None

    def error(self, timestamp: str) -> Error:
        """The `error` message that announces this refusal."""
        return Error(
            message=self.message,
            code=self.code,
            timestamp=timestamp,
            retry_after_ms=UNSET if self.retry_after_ms is None else self.retry_after_ms,
        )


class _KeyState:
    __slots__ = ("api_key", "bucket", "open_connections")

    def __init__(self, api_key: ApiKey, now: float) -> None:
        self.api_key = api_key
        self.bucket = TokenBucket.per_minute(api_key.rate_limit_per_minute, now=now)
        self.open_connections = 0


class Lease:
    """One admitted connection's hold on its key: rate tokens and an open-connection slot."""

    __slots__ = ("_clock", "_released", "_state")

    def __init__(self, state: _KeyState, clock: Clock) -> None:
        self._state = state
        self._clock = clock
        self._released = False
        state.open_connections += 1

    @property
    def api_key(self) -> ApiKey:
        return self._state.api_key

    def try_request(self) -> int | None:
        """Charge one request (subscribe/unsubscribe) to the key.

        Returns None when allowed, otherwise `retry_after_ms`.
        """
        return _charge(self._state.bucket, self._clock)

    def release(self) -> None:
        """Give the connection slot back; safe to call more than once."""
        if not self._released:
            self._released = True
            self._state.open_connections -= 1


class Gatekeeper:
    """Admits or refuses connection attempts, in the order decisions.md fixes."""

    def __init__(self, keys: KeyStore, clock: Clock) -> None:
        self._keys = keys
        self._clock = clock
        self._states: dict[str, _KeyState] = {}

    def admit(self, presented: str | None) -> Lease | Refusal:
        if presented is None:
            return _unauthorized("missing API key")
        api_key = self._keys.lookup(presented)
        if api_key is None:
            return _unauthorized("unknown API key")
        state = self._states.get(api_key.key)
        if state is None:
            state = self._states[api_key.key] = _KeyState(api_key, self._clock.monotonic())
        retry_after_ms = _charge(state.bucket, self._clock)
        if retry_after_ms is not None:
            return rate_limited(retry_after_ms)
        if state.open_connections >= api_key.max_connections:
            return Refusal(
                ErrorCode.CONNECTION_LIMIT,
                f"Too many connections: this API key may hold {api_key.max_connections} at once",
                CloseCode.LIMITED,
                "connection limit",
            )
        return Lease(state, self._clock)

    def open_connections(self, presented: str) -> int:
        """How many connections a key holds now (0 for an unknown key)."""
        api_key = self._keys.lookup(presented)
        state = self._states.get(api_key.key) if api_key else None
        return state.open_connections if state else 0


def rate_limited(retry_after_ms: int) -> Refusal:
    return Refusal(
        ErrorCode.RATE_LIMITED,
        f"Rate limit exceeded: retry in {retry_after_ms} ms",
        CloseCode.LIMITED,
        "rate limited",
        retry_after_ms,
    )


def _unauthorized(why: str) -> Refusal:
    return Refusal(
        ErrorCode.UNAUTHORIZED,
        f"Authentication failed: {why}",
        CloseCode.UNAUTHORIZED,
        "unauthorized",
    )


def _charge(bucket: TokenBucket, clock: Clock) -> int | None:
    wait = bucket.try_take(clock.monotonic())
    return math.ceil(wait * 1000) if wait > 0 else None
