"""What every user of one locust process shares (`Suite`), built once the options are parsed."""

from __future__ import annotations

import logging
import urllib.request
from pathlib import Path

import msgspec
from accounting import Account, FeedTally
from chrono_load import (
    KeyPool,
    ProbeBook,
    SuiteKeys,
    parse_catalog,
    symbols_url,
)
from gevent.event import Event as Flag
from gevent.lock import Semaphore
from locust.env import Environment
from locust_ui import take_back
from replies import REPLY_TIMEOUT

from chrono_sim.protocol.catalog import DOCUMENTED_SYMBOLS  # for a server without GET /symbols

log = logging.getLogger("chrono.loadtests")

DEFAULT_KEYS = Path(__file__).with_name("keys.toml")
PING_EVERY = 15.0  # feed users' ping (round trip measured); shorter with --idle-timeout


class Suite:
    """What all users of this locust process share: keys, catalog, tallies, probe results."""

    def __init__(
        self,
        environment: Environment,
        keys: SuiteKeys,
        idle_timeout: float | None,
        symbols: list[str],
        *,
        faults: bool = False,
    ) -> None:
        self.environment = environment
        self.keys = keys
        self.idle_timeout = idle_timeout
        self.faults = faults  # the server injects faults: 1006 drops are expected
        self.pool = KeyPool(keys.load)
        self.tally = FeedTally()
        self.book = ProbeBook()
        self.accounting: Account | None = None  # with --faults, once the run has stopped
        self.spawned = Flag()
        self._symbols = symbols
        self._catalogs: dict[str, list[str]] = {}
        self._lock = Semaphore()

    @property
    def ping_every(self) -> float:
        # Feed users must stay active for a server with a short idle timeout: a quiet
        # symbol may leave a gap longer than it, and a 4408 would be a spurious failure.
        return PING_EVERY if self.idle_timeout is None else min(PING_EVERY, self.idle_timeout / 3)

    def catalog(self, url: str) -> list[str]:
        """The symbols to subscribe from: --symbols, else the server's GET /symbols."""
        if self._symbols:
            return self._symbols
        with self._lock:  # the first user fetches, the others wait for it
            if url not in self._catalogs:
                self._catalogs[url] = _fetch_catalog(url)
        return self._catalogs[url]

    def fire(
        self,
        request_type: str,
        name: str,
        response_time: float,
        *,
        length: int = 0,
        exception: Exception | None = None,
    ) -> None:
        """One entry in locust's stats (a failure when `exception` is given)."""
        self.environment.events.request.fire(
            request_type=request_type,
            name=name,
            response_time=response_time,
            response_length=length,
            exception=exception,
            context={},
        )

    def take_back(self, request_type: str, name: str, count: int = 1) -> None:
        """Undo `count` earlier successful entries of `fire` (a miss that turned up late)."""
        take_back(self.environment.stats, request_type, name, count)


_suite: Suite | None = None


def suite() -> Suite:
    if _suite is None:
        raise RuntimeError("the locust init event has not run")
    return _suite


def _fetch_catalog(url: str) -> list[str]:
    where = symbols_url(url)
    try:
        with urllib.request.urlopen(where, timeout=REPLY_TIMEOUT) as response:
            names = parse_catalog(msgspec.json.decode(response.read()))
        if len(names) < 1:
            raise ValueError("no symbol listed")
    except (OSError, ValueError, msgspec.DecodeError) as exc:
        log.warning(
            "GET %s failed (%s): using the protocol document's %d symbols; --symbols sets a list",
            where,
            exc,
            len(DOCUMENTED_SYMBOLS),
        )
        return list(DOCUMENTED_SYMBOLS)
    log.info("catalog: %d symbols from %s", len(names), where)
    return names


def install(state: Suite) -> None:
    """Make `state` the suite that `suite()` returns (called by the init event)."""
    global _suite  # noqa: PLW0603 - one suite per locust process, built once options exist
    _suite = state
