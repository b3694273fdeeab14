"""Limit probes: one user each, run once under full load, reported as a PROBE entry."""

from __future__ import annotations

import logging
import time
from typing import ClassVar

import gevent
import websocket
from chrono_load import MAX_SYMBOLS, Probe, Verdict, idle_window, judge_idle, judge_rate
from feed_user import StreamUser
from locust import constant, task
from replies import Admission, admission, ms_since, request, unexpected
from suite import suite
from wsconn import Closed, Conn, Frame

from chrono_sim.errors import ChronoError
from chrono_sim.protocol.keys import ApiKey

log = logging.getLogger("chrono.loadtests")

SPAWN_WAIT = 60.0  # probes run once every user is spawned, or after this long
MAX_RATE_WAIT = 65.0  # a drained rate-probe bucket refills within a minute


class ProbeFailedError(ChronoError):
    """A probe's finding, as the exception of its failed PROBE entry."""


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
        self.state.fire("PROBE", self.probe.entry, ms_since(started), exception=failure)
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
                return Verdict(False, f"{MAX_SYMBOLS} symbols not accepted: {unexpected(reply)}")
            reply = request(conn, {"type": "subscribe", "symbols": [extra]})
            if isinstance(reply, Frame) and reply.type == "subscribed":
                return Verdict(False, f"symbol {MAX_SYMBOLS + 1} ({extra}) accepted")
            code = reply.message.get("code") if isinstance(reply, Frame) else None
            if code != "SUBSCRIPTION_LIMIT":
                return Verdict(False, f"symbol {MAX_SYMBOLS + 1}: {unexpected(reply)}")
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
                return Verdict(False, f"after {accepted} requests: {unexpected(reply)}"), None
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
