"""Locust suite for a Chrono `/stream` server: feed users measure, probe users prove the limits.

    chrono serve --keys loadtests/keys.toml &
    locust -f loadtests/locustfile.py --headless -u 200 -r 50 -t 60s \\
        --host ws://127.0.0.1:3000/stream

`FeedUser`s connect, subscribe to 1-10 random symbols and read the feed until the
run ends, reporting connect time, subscribe acknowledgement, update latency and
missed updates. Four probe users (one each) run once all users are spawned and
report a PROBE entry that passes only if the limit held; a probe that fails, or
that was expected and never finished, makes locust exit 1. See README.md for the
entries and the options (--keys, --idle-timeout, --symbols).

WebSocket client: websocket-client, through `wsconn.Conn` (why: see wsconn.py).
"""

from __future__ import annotations

import argparse
import logging
import random
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

import gevent
import msgspec
import websocket
from chrono_load import (
    MAX_SYMBOLS,
    FeedTally,
    KeyPool,
    Probe,
    ProbeBook,
    SuiteKeys,
    Verdict,
    idle_window,
    judge_idle,
    judge_rate,
    latency_ms,
    parse_catalog,
    parse_symbol_list,
    stream_url,
    symbols_url,
)
from gevent.event import Event as Flag
from gevent.lock import Semaphore
from locust import User, constant, events, task
from locust.env import Environment
from locust.exception import StopUser
from locust.runners import LocalRunner
from wsconn import Closed, Conn, Frame

from chrono_sim.catalog import DOCUMENTED_SYMBOLS  # for a server without GET /symbols
from chrono_sim.client.gaps import SeqTracker
from chrono_sim.durations import parse_duration
from chrono_sim.errors import ConfigError
from chrono_sim.keys import ApiKey, load_keys

log = logging.getLogger("chrono.loadtests")

DEFAULT_KEYS = Path(__file__).with_name("keys.toml")
REPLY_TIMEOUT = 10.0  # seconds to wait for a reply before calling it lost
RECONNECT_BACKOFF = (1.0, 2.0, 5.0, 10.0)  # feed users, after consecutive failures
SPAWN_WAIT = 60.0  # probes run once every user is spawned, or after this long
PING_EVERY = 15.0  # feed users' ping (round trip measured); shorter with --idle-timeout
MAX_RATE_WAIT = 65.0  # a drained rate-probe bucket refills within a minute


class ProbeFailedError(Exception):
    """A probe's finding, as the exception of its failed PROBE entry."""


class NoLoadKeyError(Exception):
    """More feed users than the load-* keys can hold."""


# --- options and shared state -----------------------------------------------------


@events.init_command_line_parser.add_listener
def _add_options(parser: argparse.ArgumentParser, **_: object) -> None:
    parser.add_argument(
        "--keys",
        default=str(DEFAULT_KEYS),
        metavar="FILE",
        help="Keys file (chrono serve's TOML format) naming the keys the server knows: "
        "load-* for feed users, probe-connections/-symbols/-rate/-idle for the probes.",
    )
    parser.add_argument(
        "--idle-timeout",
        default="",
        metavar="DURATION",
        help="The server's idle timeout (chrono serve --idle-timeout, e.g. 2 or 10s). "
        "Runs the idle probe; without it the probe is SKIPPED, not failed.",
    )
    parser.add_argument(
        "--symbols",
        default="",
        metavar="A,B,...",
        help="Symbols to subscribe from (default: GET /symbols on the --host's server).",
    )


class Suite:
    """What all users of this locust process share: keys, catalog, tallies, probe results."""

    def __init__(
        self,
        environment: Environment,
        keys: SuiteKeys,
        idle_timeout: float | None,
        symbols: list[str],
    ) -> None:
        self.environment = environment
        self.keys = keys
        self.idle_timeout = idle_timeout
        self.pool = KeyPool(keys.load)
        self.tally = FeedTally()
        self.book = ProbeBook()
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


@events.init.add_listener
def _on_init(environment: Environment, **_: object) -> None:
    global _suite  # noqa: PLW0603 - one suite per locust process, built once options exist
    options = environment.parsed_options
    keys_file = Path(getattr(options, "keys", None) or DEFAULT_KEYS)
    try:
        keys = SuiteKeys.from_keys(load_keys(keys_file))
        idle_text = getattr(options, "idle_timeout", "") or ""
        idle_timeout = parse_duration(idle_text) if idle_text else None
        stream_url(environment.host)  # a bad --host fails here, not in every user
    except (ConfigError, ValueError) as exc:
        raise SystemExit(f"loadtests: {exc}") from None
    if idle_timeout is not None and idle_timeout <= 0:
        raise SystemExit("loadtests: --idle-timeout must be positive")
    symbols = parse_symbol_list(getattr(options, "symbols", "") or "")
    _suite = Suite(environment, keys, idle_timeout, symbols)


@events.test_start.add_listener
def _on_test_start(environment: Environment, **_: object) -> None:
    state = suite()
    state.book = ProbeBook()
    state.spawned.clear()
    running = {user_class.__name__ for user_class in environment.user_classes}
    for probe_class in PROBE_USERS:
        if probe_class.__name__ not in running:
            continue
        if probe_class.probe is Probe.IDLE and state.idle_timeout is None:
            state.book.skip(
                Probe.IDLE,
                "no --idle-timeout given; pass the server's (e.g. chrono serve --idle-timeout "
                "10 and locust ... --idle-timeout 10) to run it",
            )
        else:
            state.book.expect(probe_class.probe)
    users = getattr(environment.parsed_options, "num_users", None) or 0
    if users > state.keys.feed_capacity + len(PROBE_USERS):
        log.warning(
            "%d users but the load-* keys of %s hold %d feed connections: the rest will fail "
            "to get a key (add load-* keys or raise their max_connections)",
            users,
            getattr(environment.parsed_options, "keys", DEFAULT_KEYS),
            state.keys.feed_capacity,
        )


@events.spawning_complete.add_listener
def _on_spawned(**_: object) -> None:
    suite().spawned.set()


@events.quitting.add_listener
def _on_quitting(environment: Environment, **_: object) -> None:
    state = suite()
    if not isinstance(environment.runner, LocalRunner):
        log.info("limit probes: verdicts are summed up only in a single-process run")
        return
    lines = state.book.report()
    log.info("limit probes:" if lines else "limit probes: none in this run")
    for line in lines:
        (log.info if line.startswith(("PASS", "SKIPPED")) else log.error)("  %s", line)
    log.info("%s", state.tally.summary())
    if not state.book.ok:
        # Set even when --exit-code-on-error would say 0: a limit that does not hold,
        # or a probe that did not run, always fails the run.
        environment.process_exit_code = 1


# --- feed users ------------------------------------------------------------------------


class StreamUser(User):
    """A user of the `/stream` server at `--host` (default ws://127.0.0.1:3000/stream)."""

    abstract = True

    @property
    def url(self) -> str:
        return stream_url(self.host)


class FeedUser(StreamUser):
    """Connects, subscribes to 1-10 random symbols and reads the feed until the run ends.

    Entries: WS connect (handshake time; fails if the server refuses the key), WS
    subscribe (time to `subscribed`), WS ping (round trip), FEED update latency (receive
    time minus `timestamp`, ms), FEED missed update (one per update skipped in `seq`),
    FEED disconnected (the server closed a feed connection: a failure).
    """

    wait_time = constant(0)

    def on_start(self) -> None:
        self.state = suite()
        catalog = self.state.catalog(self.url)
        count = random.randint(1, min(MAX_SYMBOLS, len(catalog)))
        self.symbols = random.sample(catalog, count)
        self.tracker = SeqTracker()  # per user, so gaps across a reconnect count too
        self.api_key: ApiKey | None = None
        self.conn: Conn | None = None
        self.failures = 0
        self.pings: dict[int, float] = {}
        self.next_ping = 0.0
        self.stopping = False

    def on_stop(self) -> None:
        self.stopping = True  # a close from here on is ours, not a failure
        if self.conn is not None:
            self.conn.close()
            self.conn = None
        if self.api_key is not None:
            self.state.pool.release(self.api_key)
            self.api_key = None

    @task
    def consume(self) -> None:
        """Read for up to a second; (re)connect first when needed."""
        if self.conn is None and not self._connect():
            self.failures += 1
            delay = RECONNECT_BACKOFF[min(self.failures, len(RECONNECT_BACKOFF)) - 1]
            gevent.sleep(delay * random.uniform(0.8, 1.2))
            return
        self.failures = 0
        deadline = time.monotonic() + 1.0
        while self.conn is not None:
            now = time.monotonic()
            if now >= deadline:
                return
            if now >= self.next_ping:
                self._ping()
            event = self.conn.receive(min(deadline, self.next_ping) - now)
            if event is not None:
                self._handle(event)

    def _connect(self) -> bool:
        if self.api_key is None:
            self.api_key = self.state.pool.acquire()
            if self.api_key is None:
                self.state.fire(
                    "WS",
                    "connect",
                    0,
                    exception=NoLoadKeyError(
                        f"no load-* key has a free connection slot ({self.state.keys.feed_capacity}"
                        " feed connections fit); add keys to the keys file"
                    ),
                )
                raise StopUser
        started = time.perf_counter()
        try:
            conn = Conn.open(self.url, self.api_key.key)
        except (websocket.WebSocketException, OSError) as exc:
            self.state.fire("WS", "connect", _ms(started), exception=exc)
            return False
        handshake_ms = _ms(started)
        request_id = conn.next_id()
        conn.send({"type": "subscribe", "symbols": self.symbols, "id": request_id})
        sent = time.perf_counter()
        reply = await_reply(conn, request_id, on_other=self._handle)
        if isinstance(reply, Frame) and reply.type == "error" and "id" not in reply.message:
            # An error without our id, right after the upgrade: the key was refused.
            self.state.fire("WS", "connect", handshake_ms, exception=_refused(reply, conn))
            conn.close()
            return False
        self.state.fire("WS", "connect", handshake_ms)
        if isinstance(reply, Frame) and reply.type == "subscribed":
            self.state.fire("WS", "subscribe", _ms(sent), length=reply.size)
            self.conn = conn
            self.next_ping = time.monotonic() + self.state.ping_every
            return True
        self.state.fire("WS", "subscribe", _ms(sent), exception=_unexpected(reply))
        conn.close()
        return False

    def _ping(self) -> None:
        assert self.conn is not None
        request_id = self.conn.next_id()
        self.pings[request_id] = time.perf_counter()
        self.conn.send({"type": "ping", "id": request_id})
        self.next_ping = time.monotonic() + self.state.ping_every

    def _handle(self, event: Frame | Closed) -> None:
        if isinstance(event, Closed):
            self.conn = None
            self.pings.clear()
            if not self.stopping:
                self.state.tally.disconnects += 1
                self.state.fire(
                    "FEED", "disconnected", 0, exception=ConnectionError(event.describe())
                )
            return
        kind = event.type
        if kind == "price_update":
            self._update(event)
        elif kind == "pong":
            request_id = event.message.get("id")
            sent = self.pings.pop(request_id, None) if isinstance(request_id, int) else None
            if sent is not None:
                self.state.fire("WS", "ping", _ms(sent), length=event.size)
        elif kind == "error":
            self.state.fire("FEED", "error message", 0, exception=_error(event))

    def _update(self, frame: Frame) -> None:
        message = frame.message
        symbol, timestamp = message.get("symbol"), message.get("timestamp")
        try:
            if not isinstance(symbol, str) or not isinstance(timestamp, str):
                raise ValueError("no symbol or timestamp")
            latency = latency_ms(frame.received_at, timestamp)
        except ValueError as exc:
            self.state.fire("FEED", "malformed update", 0, exception=exc)
            return
        if latency < 0:
            self.state.tally.ahead += 1
            latency = 0
        self.state.fire("FEED", "update latency", latency, length=frame.size)
        for _ in range(self.state.tally.observe(self.tracker, symbol, message.get("seq"))):
            self.state.fire("FEED", "missed update (seq gap)", 0)


# --- limit probes ------------------------------------------------------------------------


class ProbeUser(StreamUser):
    """Runs one limit probe once every user is spawned, reports it as a PROBE entry, then idles."""

    abstract = True
    fixed_count = 1
    wait_time = constant(3600)  # one run per test; the user is stopped with the test
    probe: ClassVar[Probe]

    def on_start(self) -> None:
        self.state = suite()
        self.done = False

    @task
    def run_probe(self) -> None:
        if self.done or self.probe not in self.state.book.expected:
            if self.probe in self.state.book.skipped and not self.done:
                log.warning("%s probe skipped: %s", self.probe, self.state.book.skipped[self.probe])
            self.done = True
            return
        self.done = True
        self.state.spawned.wait(timeout=SPAWN_WAIT)  # probe under the full load
        api_key = self.state.keys.probes.get(self.probe)
        started = time.perf_counter()
        if api_key is None:
            verdict = Verdict(False, f"no key named {self.probe.key_name} in the keys file")
        else:
            try:
                verdict = self.check(api_key)
            except (websocket.WebSocketException, OSError) as exc:
                verdict = Verdict(False, f"could not connect: {exc or type(exc).__name__}")
        self.state.book.record(self.probe, verdict)
        failure = None if verdict.passed else ProbeFailedError(verdict.detail)
        self.state.fire("PROBE", self.probe.entry, _ms(started), exception=failure)
        (log.info if verdict.passed else log.error)(
            "probe %s %s: %s", "PASS" if verdict.passed else "FAIL", self.probe, verdict.detail
        )

    def check(self, api_key: ApiKey) -> Verdict:
        raise NotImplementedError


class ConnectionLimitProbe(ProbeUser):
    """max_connections connections on one key accepted, the next refused CONNECTION_LIMIT/4429."""

    probe = Probe.CONNECTIONS

    def check(self, api_key: ApiKey) -> Verdict:
        limit = api_key.max_connections
        conns: list[Conn] = []
        try:
            for number in range(1, limit + 1):
                conns.append(Conn.open(self.url, api_key.key))
                answer = admission(conns[-1])
                if not answer.admitted:
                    return Verdict(False, f"connection {number} of {limit} refused: {answer}")
            conns.append(Conn.open(self.url, api_key.key))
            answer = admission(conns[-1])
            if answer.admitted:
                return Verdict(False, f"connection {limit + 1} accepted (limit {limit} per key)")
            if answer.code != "CONNECTION_LIMIT" or answer.close_code != 4429:
                return Verdict(
                    False,
                    f"connection {limit + 1}: {answer}; expected CONNECTION_LIMIT, close 4429",
                )
            return Verdict(True, f"{limit} accepted, connection {limit + 1}: {answer}")
        finally:
            for conn in conns:
                conn.close()


class SymbolLimitProbe(ProbeUser):
    """10 symbols on one connection accepted, an 11th refused SUBSCRIPTION_LIMIT."""

    probe = Probe.SYMBOLS

    def check(self, api_key: ApiKey) -> Verdict:
        catalog = self.state.catalog(self.url)
        if len(catalog) <= MAX_SYMBOLS:
            return Verdict(False, f"the catalog has {len(catalog)} symbols; the probe needs 11")
        first, extra = catalog[:MAX_SYMBOLS], catalog[MAX_SYMBOLS]
        conn = Conn.open(self.url, api_key.key)
        try:
            answer = admission(conn)
            if not answer.admitted:
                return Verdict(False, f"connection refused: {answer}")
            reply = request(conn, {"type": "subscribe", "symbols": first})
            if not (isinstance(reply, Frame) and reply.type == "subscribed"):
                return Verdict(False, f"{MAX_SYMBOLS} symbols not accepted: {_unexpected(reply)}")
            reply = request(conn, {"type": "subscribe", "symbols": [extra]})
            if isinstance(reply, Frame) and reply.type == "subscribed":
                return Verdict(False, f"symbol {MAX_SYMBOLS + 1} ({extra}) accepted")
            code = reply.message.get("code") if isinstance(reply, Frame) else None
            if code != "SUBSCRIPTION_LIMIT":
                return Verdict(False, f"symbol {MAX_SYMBOLS + 1}: {_unexpected(reply)}")
            return Verdict(True, f"{MAX_SYMBOLS} accepted, symbol {MAX_SYMBOLS + 1} refused {code}")
        finally:
            conn.close()


class RateLimitProbe(ProbeUser):
    """Requests on one key in a burst: past rate_limit_per_minute refused RATE_LIMITED.

    Then checks that the refused connection stays open and that a new connection
    attempt is refused RATE_LIMITED with close 4429 too.
    """

    probe = Probe.RATE

    def check(self, api_key: ApiKey) -> Verdict:
        conn, answer = self._connect_when_allowed(api_key)
        conns = [conn]
        try:
            if not answer.admitted:
                return Verdict(False, f"connection refused: {answer}")
            verdict, refusal = self._burst(conn, api_key.rate_limit_per_minute)
            if not verdict.passed or refusal is None:
                return verdict
            retry_after = refusal.message.get("retry_after_ms")
            if not isinstance(retry_after, int) or retry_after <= 0:
                return Verdict(
                    False, f"RATE_LIMITED without a positive retry_after_ms: {retry_after}"
                )
            if not admission(conn).admitted:
                return Verdict(False, "the connection did not stay open after RATE_LIMITED")
            conns.append(Conn.open(self.url, api_key.key))
            second = admission(conns[-1])
            if second.admitted or second.code != "RATE_LIMITED" or second.close_code != 4429:
                return Verdict(False, f"new connection: {second}; expected RATE_LIMITED, 4429")
            return Verdict(
                True,
                f"{verdict.detail}, retry_after_ms {retry_after}; connection stayed open; "
                f"new connection {second}",
            )
        finally:
            for each in conns:
                each.close()

    def _burst(self, conn: Conn, limit: int) -> tuple[Verdict, Frame | None]:
        """Subscribe again and again until refused; the verdict and the refusal."""
        symbol = self.state.catalog(self.url)[0]
        started, accepted = time.monotonic(), 1  # the connection was one request
        refusal: Frame | None = None
        for _ in range(2 * limit + 5):
            reply = request(conn, {"type": "subscribe", "symbols": [symbol]})
            if not isinstance(reply, Frame):
                return Verdict(False, f"after {accepted} requests: {_unexpected(reply)}"), None
            if reply.type != "subscribed":
                refusal = reply
                break
            accepted += 1
        verdict = judge_rate(
            limit_per_minute=limit,
            accepted=accepted,
            elapsed=time.monotonic() - started,
            refusal=None if refusal is None else str(refusal.message.get("code")),
        )
        return verdict, refusal

    def _connect_when_allowed(self, api_key: ApiKey) -> tuple[Conn, Admission]:
        """Connect; if a run a moment ago drained the key, wait its retry_after_ms once."""
        conn = Conn.open(self.url, api_key.key)
        answer = admission(conn)
        wait = (answer.retry_after_ms or 0) / 1000
        if answer.code == "RATE_LIMITED" and wait <= MAX_RATE_WAIT:
            conn.close()
            log.info("rate probe: key drained by an earlier run; waiting %.1fs", wait)
            gevent.sleep(wait + 0.1)
            conn = Conn.open(self.url, api_key.key)
            answer = admission(conn)
        return conn, answer


class IdleTimeoutProbe(ProbeUser):
    """A connection that sends nothing is closed 4408 after --idle-timeout (skipped without it)."""

    probe = Probe.IDLE

    def check(self, api_key: ApiKey) -> Verdict:
        expected = self.state.idle_timeout
        assert expected is not None  # the probe is skipped without it
        conn = Conn.open(self.url, api_key.key)
        try:
            answer = admission(conn)  # our ping is the last activity the server sees
            if not answer.admitted:
                return Verdict(False, f"connection refused: {answer}")
            quiet_since = time.monotonic()
            deadline = quiet_since + idle_window(expected)[1] + 1.0
            while (remaining := deadline - time.monotonic()) > 0:
                event = conn.receive(remaining)
                if isinstance(event, Closed):
                    elapsed = time.monotonic() - quiet_since
                    return judge_idle(expected=expected, elapsed=elapsed, close_code=event.code)
            return judge_idle(expected=expected, elapsed=None, close_code=None)
        finally:
            conn.close()


PROBE_USERS: tuple[type[ProbeUser], ...] = (
    ConnectionLimitProbe,
    SymbolLimitProbe,
    RateLimitProbe,
    IdleTimeoutProbe,
)


# --- protocol helpers ------------------------------------------------------------------


class Admission:
    """Whether a fresh connection was admitted (a pong came back) or refused, and how."""

    def __init__(self, reply: Frame | Closed | None, conn: Conn, timeout: float) -> None:
        self.admitted = isinstance(reply, Frame) and reply.type == "pong"
        self.code: str | None = None
        self.retry_after_ms: int | None = None
        self.close_code: int | None = None
        self.detail = "no reply" if reply is None else ""
        if isinstance(reply, Frame) and reply.type == "error":
            self.code = str(reply.message.get("code"))
            retry = reply.message.get("retry_after_ms")
            self.retry_after_ms = retry if isinstance(retry, int) else None
            reply = _wait_close(conn, timeout)  # a refusal is an error, then the close
        if isinstance(reply, Closed):
            self.close_code = reply.code
            self.detail = reply.describe()

    def __str__(self) -> str:
        if self.admitted:
            return "admitted"
        parts = [f"refused {self.code}" if self.code else "no error message"]
        parts.append(self.detail or "not closed")
        return ", ".join(parts)


def admission(conn: Conn, timeout: float = REPLY_TIMEOUT) -> Admission:
    """Ping a new connection: a pong means admitted; an error then a close means refused."""
    request_id = conn.next_id()
    conn.send({"type": "ping", "id": request_id})
    return Admission(await_reply(conn, request_id, timeout=timeout), conn, timeout)


def request(
    conn: Conn, message: dict[str, object], timeout: float = REPLY_TIMEOUT
) -> Frame | Closed | None:
    """Send `message` with a fresh id and return the reply to it."""
    request_id = conn.next_id()
    conn.send({**message, "id": request_id})
    return await_reply(conn, request_id, timeout=timeout)


def await_reply(
    conn: Conn,
    request_id: int,
    *,
    timeout: float = REPLY_TIMEOUT,
    on_other: Callable[[Frame], None] | None = None,
) -> Frame | Closed | None:
    """Read until the reply carrying `request_id`, an error without an id (a refusal of the
    connection), the close, or `timeout` (None). Other frames go to `on_other`, if given.
    """
    deadline = time.monotonic() + timeout
    while (remaining := deadline - time.monotonic()) > 0:
        event = conn.receive(remaining)
        if event is None or isinstance(event, Closed):
            return event
        reply_id = event.message.get("id")
        if reply_id == request_id or (event.type == "error" and reply_id is None):
            return event
        if on_other is not None:
            on_other(event)
    return None


def _wait_close(conn: Conn, timeout: float) -> Closed | None:
    deadline = time.monotonic() + timeout
    while (remaining := deadline - time.monotonic()) > 0:
        event = conn.receive(remaining)
        if isinstance(event, Closed):
            return event
    return None


def _refused(reply: Frame, conn: Conn) -> Exception:
    closed = _wait_close(conn, REPLY_TIMEOUT)
    after = closed.describe() if closed else "not closed"
    return ConnectionRefusedError(f"{reply.message.get('code')}: {after}")


def _error(frame: Frame) -> Exception:
    return RuntimeError(f"{frame.message.get('code')}: {frame.message.get('message')}")


def _unexpected(reply: Frame | Closed | None) -> Exception:
    if reply is None:
        return TimeoutError(f"no reply within {REPLY_TIMEOUT:g}s")
    if isinstance(reply, Closed):
        return ConnectionError(f"closed: {reply.describe()}")
    if reply.type == "error":
        return _error(reply)
    return RuntimeError(f"unexpected {reply.type} reply")


def _ms(since: float) -> float:
    return (time.perf_counter() - since) * 1000
