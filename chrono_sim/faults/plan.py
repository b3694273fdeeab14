"""What `chrono serve --fault SPEC` injects: the spec's syntax, parsed into a frozen plan.

SPEC is a comma-separated list of `kind=value`, each kind at most once::

    drop=P                      withhold an update with probability P
    duplicate=P                 send an update twice in a row
    reorder=P                   hold an update back until after the next of its symbol
    delay=MIN..MAX              hold every update MIN to MAX before queueing it
    delay=P:MIN..MAX            ... only with probability P
    disconnect=every:DURATION   drop the TCP connection (no close frame) every DURATION
    stall=DURATION@OFFSET       write nothing for DURATION, OFFSET after the connection opened

A probability P is a fraction (`0.01`) or a percentage (`1%`), above 0 and at
most 1; durations use the CLI's syntax (`50ms`, `1.5s`, `2m`).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from chrono_sim.durations import format_duration, parse_duration
from chrono_sim.errors import ConfigError

KINDS = ("drop", "duplicate", "reorder", "delay", "disconnect", "stall")


@dataclass(frozen=True, slots=True, kw_only=True)
class Delay:
    """Hold an update, with `probability`, for a uniform random time in [minimum, maximum]."""

    probability: float = 1.0
    minimum: float
    maximum: float

    def __post_init__(self) -> None:
        _check_probability("delay", self.probability)
        if not 0 <= self.minimum <= self.maximum or not 0 < self.maximum < math.inf:
            raise ConfigError("fault delay: MIN must be at most MAX, and MAX above 0")


@dataclass(frozen=True, slots=True, kw_only=True)
class Stall:
    """Write nothing for `duration` seconds, `offset` seconds after the connection opened."""

    duration: float
    offset: float = 0.0

    def __post_init__(self) -> None:
        if not 0 < self.duration < math.inf or not 0 <= self.offset < math.inf:
            raise ConfigError("fault stall: DURATION must be positive and OFFSET not negative")


@dataclass(frozen=True, slots=True, kw_only=True)
class FaultPlan:
    """Every fault a server injects into each connection; all off by default."""

    drop: float = 0.0
    duplicate: float = 0.0
    reorder: float = 0.0
    delay: Delay | None = None
    disconnect_every: float | None = None
    stall: Stall | None = None

    def __post_init__(self) -> None:
        for kind in ("drop", "duplicate", "reorder"):
            probability = getattr(self, kind)
            if probability:
                _check_probability(kind, probability)
        if self.disconnect_every is not None and not 0 < self.disconnect_every < math.inf:
            raise ConfigError("fault disconnect: the period must be positive")

    def describe(self) -> str:
        """One line for the server's log, e.g. `drop 1%, delay 50ms..200ms, stall 2s at 10s`."""
        parts = [
            f"{kind} {_percent(probability)}"
            for kind, probability in (
                ("drop", self.drop),
                ("duplicate", self.duplicate),
                ("reorder", self.reorder),
            )
            if probability
        ]
        if (delay := self.delay) is not None:
            share = "" if delay.probability == 1 else f" ({_percent(delay.probability)})"
            parts.append(f"delay {_span(delay.minimum)}..{_span(delay.maximum)}{share}")
        if self.disconnect_every is not None:
            parts.append(f"disconnect every {_span(self.disconnect_every)}")
        if (stall := self.stall) is not None:
            parts.append(f"stall {_span(stall.duration)} at {_span(stall.offset)}")
        return ", ".join(parts) or "none"

    def __str__(self) -> str:
        return self.describe()


def connection_rng(seed: int, connection: int) -> random.Random:
    """The random draws of connection number `connection` (1, 2, ...) of a server seeded `seed`.

    Seeded from a string, which `random` hashes with SHA-512: the same on
    every run and platform, unlike `hash()`.
    """
    return random.Random(f"{seed}:{connection}")


def parse_faults(text: str) -> FaultPlan:
    """The plan `text` (a `--fault` SPEC) describes; `ConfigError` naming the bad part."""
    items: dict[str, str] = {}
    for item in text.split(","):
        kind, equals, value = (part.strip() for part in item.partition("="))
        kind = kind.lower()
        if not kind:
            raise ConfigError(f"fault spec {text!r}: empty item; use kind=value, e.g. drop=0.01")
        if kind not in KINDS:
            raise ConfigError(f"unknown fault {kind!r}: use one of {', '.join(KINDS)}")
        if not equals or not value:
            raise ConfigError(f"fault {kind}: missing value, e.g. {_EXAMPLES[kind]}")
        if kind in items:
            raise ConfigError(f"fault {kind}: given twice")
        items[kind] = value
    try:
        return FaultPlan(
            drop=_probability("drop", items["drop"]) if "drop" in items else 0.0,
            duplicate=_probability("duplicate", items["duplicate"])
            if "duplicate" in items
            else 0.0,
            reorder=_probability("reorder", items["reorder"]) if "reorder" in items else 0.0,
            delay=_delay(items["delay"]) if "delay" in items else None,
            disconnect_every=_disconnect(items["disconnect"]) if "disconnect" in items else None,
            stall=_stall(items["stall"]) if "stall" in items else None,
        )
    except ConfigError as exc:
        raise ConfigError(_name_value(str(exc), items)) from None


_EXAMPLES = {
    "drop": "drop=0.01",
    "duplicate": "duplicate=0.5%",
    "reorder": "reorder=0.02",
    "delay": "delay=50ms..200ms or delay=0.1:50ms..200ms",
    "disconnect": "disconnect=every:30s",
    "stall": "stall=2s@10s",
}


def _name_value(message: str, items: dict[str, str]) -> str:
    """`message` with the offending `kind=value` as given, so the user sees what to fix."""
    kind = message.removeprefix("fault ").partition(":")[0]
    if kind in items and message.startswith("fault "):
        return f"fault {kind}={items[kind]}:{message.partition(':')[2]}"
    return message


def _probability(kind: str, text: str) -> float:
    number = text.removesuffix("%")
    try:
        value = float(number)
    except ValueError:
        raise ConfigError(
            f"fault {kind}: {text!r} is not a probability; use a fraction or a percentage, "
            "e.g. 0.01 or 1%"
        ) from None
    if number != text:
        value /= 100
    _check_probability(kind, value)
    return value


def _check_probability(kind: str, value: float) -> None:
    if not 0 < value <= 1:  # also refuses nan
        raise ConfigError(f"fault {kind}: the probability must be above 0 and at most 1 (100%)")


def _delay(text: str) -> Delay:
    share, colon, span = text.rpartition(":")
    low, dots, high = span.partition("..")
    if not dots:
        raise ConfigError(f"fault delay: use MIN..MAX or P:MIN..MAX, e.g. {_EXAMPLES['delay']}")
    probability = _probability("delay", share.strip()) if colon else 1.0
    return Delay(
        probability=probability,
        minimum=_duration("delay", low),
        maximum=_duration("delay", high),
    )


def _disconnect(text: str) -> float:
    every, colon, period = text.partition(":")
    if not colon or every.strip().lower() != "every":
        raise ConfigError(f"fault disconnect: use every:DURATION, e.g. {_EXAMPLES['disconnect']}")
    return _duration("disconnect", period)


def _stall(text: str) -> Stall:
    duration, at, offset = text.partition("@")
    if not at:
        raise ConfigError(f"fault stall: use DURATION@OFFSET, e.g. {_EXAMPLES['stall']}")
    return Stall(duration=_duration("stall", duration), offset=_duration("stall", offset))


def _duration(kind: str, text: str) -> float:
    try:
        return parse_duration(text)
    except ConfigError as exc:
        raise ConfigError(f"fault {kind}: {exc}") from None


def _percent(probability: float) -> str:
    return f"{probability * 100:.4g}%"


def _span(seconds: float) -> str:
    """A duration as the spec spells it: `50ms` below a second, else `1.5s`, `2m`, `1h30m`."""
    if seconds < 1:
        return f"{seconds * 1000:.4g}ms"
    if seconds < 60:
        return f"{seconds:.4g}s"
    return format_duration(seconds)
