"""The per-connection timers and limits of decisions.md, validated on creation."""

from __future__ import annotations

from dataclasses import dataclass, fields

from chrono_sim.errors import ConfigError


@dataclass(frozen=True, slots=True, kw_only=True)
class ProtocolLimits:
    """The per-connection timers and limits of decisions.md (defaults from the document)."""

    max_symbols: int = 10
    heartbeat_interval: float = 30.0
    idle_timeout: float = 300.0
    max_message_bytes: int = 1 << 20
    # Bytes of replies a client may leave unread before the server stops reading its requests.
    reply_backlog_bytes: int = 64 * 1024
    # Price frames a client may leave unread before they are conflated to the latest per symbol.
    price_backlog: int = 256

    def __post_init__(self) -> None:
        require_positive(self)


def require_positive(config: object, skip: frozenset[str] | set[str] = frozenset()) -> None:
    """Raise `ConfigError` for a numeric field of `config` that is not above zero."""
    for spec in fields(config):  # type: ignore[arg-type]
        value = getattr(config, spec.name)
        if spec.name in skip or isinstance(value, bool) or not isinstance(value, int | float):
            continue
        if not value > 0:
            option = spec.name.replace("_", "-")
            raise ConfigError(f"{option} must be positive, not {value}")
