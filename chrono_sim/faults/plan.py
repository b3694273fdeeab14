"""What `chrono serve --fault SPEC` injects: the spec's syntax, parsed into a frozen plan.

SPEC is a comma-separated list of `kind=value`, each kind at most once::

    drop=P                      withhold an update with probability P
    duplicate=P                 send an update twice in a row
    reorder=P                   hold an update back until after the next of its symbol
    delay=MIN..MAX              hold every update MIN to MAX before queueing it (later
                                ones of its symbol wait behind it, delayed too)
    delay=P:MIN..MAX            ... only with probability P
    disconnect=every:DURATION   drop the TCP connection (no close frame) DURATION after each
                                connection opens
    stall=DURATION@OFFSET       write nothing for DURATION, OFFSET after the connection opened

A probability P is a fraction (`0.01`) or a percentage (`1%`), above 0 and at
most 1; durations use the CLI's syntax (`50ms`, `1.5s`, `2m`).
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

from chrono_sim.durations import format_duration, parse_duration
from chrono_sim.errors import ConfigError, FaultSpecError


@dataclass(frozen=True, slots=True, kw_only=True)
class Delay:
    """Hold an update, with `probability`, for a uniform random time in [minimum, maximum]."""

    probability: float = 1.0
    minimum: float
    maximum: float

    def __post_init__(self) -> None:
        _check_probability("delay", self.probability)
        if not 0 <= self.minimum <= self.maximum or not 0 < self.maximum < math.inf:
            raise FaultSpecError("delay", "MIN must be at most MAX, and MAX above 0")


@dataclass(frozen=True, slots=True, kw_only=True)
class Stall:
    """Write nothing for `duration` seconds, `offset` seconds after the connection opened."""

    duration: float
    offset: float = 0.0

    def __post_init__(self) -> None:
        if not 0 < self.duration < math.inf or not 0 <= self.offset < math.inf:
            raise FaultSpecError("stall", "DURATION must be positive and OFFSET not negative")


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
            raise FaultSpecError("disconnect", "the period must be positive")

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
            raise ConfigError(f"fault {kind}: missing value, e.g. {_KINDS[kind].example}")
        if kind in items:
            raise ConfigError(f"fault {kind}: given twice")
        items[kind] = value
    try:
        fields = {
            _KINDS[kind].field: _KINDS[kind].parse(kind, value) for kind, value in items.items()
        }
        return FaultPlan(**fields)
    except FaultSpecError as exc:  # from a part's parser, or the plan's own checks
        raise ConfigError(f"fault {exc.kind}={items[exc.kind]}: {exc.detail}") from None


def _probability(kind: str, text: str) -> float:
    number = text.removesuffix("%")
    try:
        value = float(number)
    except ValueError:
        raise FaultSpecError(
            kind, f"{text!r} is not a probability; use a fraction or a percentage, e.g. 0.01 or 1%"
        ) from None
    if number != text:
        value /= 100
    _check_probability(kind, value)
    return value


def _check_probability(kind: str, value: float) -> None:
    if not 0 < value <= 1:  # also refuses nan
        raise FaultSpecError(kind, "the probability must be above 0 and at most 1 (100%)")


def _delay(kind: str, text: str) -> Delay:
    share, colon, span = text.rpartition(":")
    low, dots, high = span.partition("..")
    if not dots:
        raise FaultSpecError(kind, f"use MIN..MAX or P:MIN..MAX, e.g. {_KINDS[kind].example}")
    probability = _probability(kind, share.strip()) if colon else 1.0
    return Delay(
        probability=probability, minimum=_duration(kind, low), maximum=_duration(kind, high)
    )


def _disconnect(kind: str, text: str) -> float:
    every, colon, period = text.partition(":")
    if not colon or every.strip().lower() != "every":
        raise FaultSpecError(kind, f"use every:DURATION, e.g. {_KINDS[kind].example}")
    return _duration(kind, period)


def _stall(kind: str, text: str) -> Stall:
    duration, at, offset = text.partition("@")
    if not at:
        raise FaultSpecError(kind, f"use DURATION@OFFSET, e.g. {_KINDS[kind].example}")
    return Stall(duration=_duration(kind, duration), offset=_duration(kind, offset))


def _duration(kind: str, text: str) -> float:
    try:
        return parse_duration(text)
    except ConfigError as exc:
        raise FaultSpecError(kind, str(exc)) from None


class _Kind(NamedTuple):
    """How one kind of fault is spelled in a SPEC."""

    field: str  # of FaultPlan
    parse: Callable[[str, str], Any]  # (kind, value) -> the field's value; raises FaultSpecError
    example: str


_KINDS = {
    "drop": _Kind("drop", _probability, "drop=0.01"),
    "duplicate": _Kind("duplicate", _probability, "duplicate=0.5%"),
    "reorder": _Kind("reorder", _probability, "reorder=0.02"),
    "delay": _Kind("delay", _delay, "delay=50ms..200ms or delay=0.1:50ms..200ms"),
    "disconnect": _Kind("disconnect_every", _disconnect, "disconnect=every:30s"),
    "stall": _Kind("stall", _stall, "stall=2s@10s"),
}
KINDS = tuple(_KINDS)


def _percent(probability: float) -> str:
    return f"{probability * 100:.4g}%"


def _span(seconds: float) -> str:
    """A duration as the spec spells it: `50ms` below a second, else `1.5s`, `2m`, `1h30m`."""
    return f"{seconds * 1000:.4g}ms" if seconds < 1 else format_duration(seconds)
