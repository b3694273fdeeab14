"""Every setting of one server, in a frozen, keyword-only object validated on creation."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from chrono_sim.errors import ConfigError
from chrono_sim.faults.plan import FaultPlan
from chrono_sim.protocol.catalog import DEFAULT_CATALOG, Catalog
from chrono_sim.protocol.keys import KeyStore
from chrono_sim.protocol.limits import ProtocolLimits, require_positive
from chrono_sim.sources.synthetic import DEFAULT_INTERVAL


@dataclass(frozen=True, slots=True, kw_only=True)
class ServerConfig:
    """How one `chrono serve` runs: where it listens, what it streams, which limits hold."""

    host: str = "localhost"
    port: int = 3000
    limits: ProtocolLimits = field(default_factory=ProtocolLimits)
    catalog: Catalog = DEFAULT_CATALOG
    keys: KeyStore = field(default_factory=KeyStore.development)
    interval: float = DEFAULT_INTERVAL
    seed: int = 0
    handshake_timeout: float = 10.0
    max_connections: int = 50_000
    ip_connect_rate: int | None = None  # attempts per minute per client address; None: off
    # WebSocket-level pings that find dead peers; a peer silent for both is dropped.
    ping_interval: float = 20.0
    ping_timeout: float = 20.0
    # How long a closing handshake may take before the socket is simply dropped.
    close_timeout: float = 10.0
    # Deliberate faults for testing clients (`--fault`), drawn per connection from `seed`.
    faults: FaultPlan | None = None
    # WebSocket pings one connection may send (a bucket holding a minute's worth); past it,
    # close 1008: each is answered with a pong even when the peer reads nothing.
    max_pings_per_minute: int = 600
    # TLS (wss:// and https://): a PEM certificate chain and its private key, which may
    # be in the certificate file itself. The files are read when the server is built.
    certfile: Path | None = None
    keyfile: Path | None = None

    @property
    def tls(self) -> bool:
        """Whether connections (WebSocket and HTTP alike) are served over TLS."""
        return self.certfile is not None

    @property
    def stall_timeout(self) -> float:
        """A write blocked this long means a peer that reads nothing: drop it.

        Keepalive pings cannot find such a peer, since they queue behind the
        blocked write; this bound is the same time they would have taken.
        """
        return self.ping_interval + self.ping_timeout

    def __post_init__(self) -> None:
        if not 0 <= self.port <= 65535:
            raise ConfigError(f"port must be between 0 and 65535, not {self.port}")
        if self.keyfile is not None and self.certfile is None:
            raise ConfigError("a TLS key (--keyfile) needs its certificate (--certfile)")
        require_positive(self, skip={"port", "seed"})
