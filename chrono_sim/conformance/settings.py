"""What `chrono check` needs to know about a server that cannot be seen from outside."""

from __future__ import annotations

import ssl
from dataclasses import dataclass

from chrono_sim.client.urls import check_tls_url, parse_stream_url
from chrono_sim.errors import ConfigError
from chrono_sim.protocol.catalog import DOCUMENTED_SYMBOLS

UNKNOWN_SYMBOL = "NOPE/CHRONOCHECK"
MAX_SYMBOLS = 10  # per connection and per message: fixed by the protocol document
MAX_MESSAGE_BYTES = 1 << 20
# Symbols subscribed where checks wait for prices: six at the document's "every 1-10 s"
# per symbol bring an update every second or two, well within one --timeout.
FLOWING = 6


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckSettings:
    """The server to check and the limits it is expected to keep.

    `heartbeat_interval`, `idle_timeout`, `rate_limit_per_minute` and
    `max_connections` are what the server promises for `api_key`; the idle
    timeout is checked only when `slow`. `timeout` bounds every wait for a
    reply or for the next price update. `ssl` is for wss:// URLs only.
    """

    url: str
    api_key: str
    heartbeat_interval: float = 30.0
    idle_timeout: float = 300.0
    slow: bool = False
    timeout: float = 10.0
    rate_limit_per_minute: int = 120
    max_connections: int = 10
    ssl: ssl.SSLContext | None = None
    symbols: tuple[str, ...] = DOCUMENTED_SYMBOLS

    def __post_init__(self) -> None:
        parse_stream_url(self.url)
        if self.ssl is not None:
            check_tls_url(self.url)
        for name in ("heartbeat_interval", "idle_timeout", "timeout"):
            if not getattr(self, name) > 0:
                raise ConfigError(f"{name.replace('_', '-')} must be positive")
        if self.rate_limit_per_minute < 1 or self.max_connections < 1:
            raise ConfigError("rate-limit-per-minute and max-connections must be at least 1")
        if len(set(self.symbols)) <= MAX_SYMBOLS:
            raise ConfigError(f"checking the symbol limit needs {MAX_SYMBOLS + 1} known symbols")

    @property
    def secure(self) -> bool:
        return self.url.startswith("wss:")

    @property
    def token_period(self) -> float:
        """Seconds the key's bucket takes to refill one request token."""
        return 60.0 / self.rate_limit_per_minute


def timer_slack(seconds: float) -> float:
    """How late a server timer may fire and still count as on time: 10 %, at least 1 s.

    Networks, loaded machines and timer coalescing all delay a little; a second
    keeps a healthy server from failing while a missing timer still fails fast.
    """
    return max(1.0, 0.1 * seconds)
