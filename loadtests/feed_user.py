"""`FeedUser`: a client that subscribes and reads the feed, measuring what it sees."""

from __future__ import annotations

import random
import time

import gevent
import websocket
from accounting import ABNORMAL_CLOSURE
from chrono_load import MAX_SYMBOLS, latency_ms, stream_url
from locust import User, constant, task
from locust.exception import StopUser
from replies import await_reply, error_of, ms_since, refused, unexpected
from suite import suite
from wsconn import Closed, Conn, Frame

from chrono_sim.client.gaps import SeqKind, SeqTracker
from chrono_sim.errors import ChronoError
from chrono_sim.protocol.keys import ApiKey

RECONNECT_BACKOFF = (1.0, 2.0, 5.0, 10.0)  # feed users, after consecutive failures
MISSED = "missed update (seq gap)"  # the FEED entry, one per update a gap skipped


class NoLoadKeyError(ChronoError):
    """More feed users than the load-* keys can hold."""


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
    time minus `timestamp`, ms), FEED missed update (one per update skipped in `seq`,
    taken back when it arrives late),
    FEED disconnected (the server closed a feed connection: a failure).
    """

    wait_time = constant(0)

    def on_start(self) -> None:
        self.state = suite()
        catalog = self.state.catalog(self.url)
        count = random.randint(1, min(MAX_SYMBOLS, len(catalog)))
        self.symbols = random.sample(catalog, count)
        self.tracker = SeqTracker()  # per user: repeats and swaps are judged across reconnects
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
            self.state.fire("WS", "connect", ms_since(started), exception=exc)
            return False
        handshake_ms = ms_since(started)
        request_id = conn.next_id()
        self.tracker.new_connection()
        # With snapshots, the gap across a reconnect ends at the snapshot: every later gap
        # happened on this connection, where the server's ledger must explain it.
        conn.send(
            {"type": "subscribe", "symbols": self.symbols, "id": request_id, "snapshot": True}
        )
        sent = time.perf_counter()
        reply = await_reply(conn, request_id, on_other=self._handle)
        if isinstance(reply, Frame) and reply.type == "error" and "id" not in reply.message:
            # An error without our id, right after the upgrade: the key was refused.
            self.state.fire("WS", "connect", handshake_ms, exception=refused(reply, conn))
            conn.close()
            return False
        self.state.fire("WS", "connect", handshake_ms)
        if isinstance(reply, Frame) and reply.type == "subscribed":
            self.state.fire("WS", "subscribe", ms_since(sent), length=reply.size)
            self.conn = conn
            self.next_ping = time.monotonic() + self.state.ping_every
            return True
        self.state.fire("WS", "subscribe", ms_since(sent), exception=unexpected(reply))
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
            if self.stopping:
                return
            code = ABNORMAL_CLOSURE if event.code is None else event.code
            self.state.tally.disconnects[code] += 1
            expected = self.state.faults and code == ABNORMAL_CLOSURE
            failure = None if expected else ConnectionError(event.describe())
            self.state.fire("FEED", "disconnected", 0, exception=failure)
            return
        kind = event.type
        if kind == "price_update":
            self._update(event)
        elif kind == "pong":
            request_id = event.message.get("id")
            sent = self.pings.pop(request_id, None) if isinstance(request_id, int) else None
            if sent is not None:
                self.state.fire("WS", "ping", ms_since(sent), length=event.size)
        elif kind == "error":
            self.state.fire("FEED", "error message", 0, exception=error_of(event))

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
        # A snapshot is the latest update, however old: its age is no latency.
        snapshot = message.get("snapshot") is True
        if latency < 0:
            self.state.tally.ahead += 1
            latency = 0
        if not snapshot:
            self.state.fire("FEED", "update latency", latency, length=frame.size)
        verdict = self.state.tally.observe(
            self.tracker, symbol, message.get("seq"), snapshot=snapshot
        )
        if verdict.kind is SeqKind.GAP and verdict.across_reconnect:
            # One entry per symbol and reconnect: on a fast feed a reconnect skips thousands.
            self.state.fire("FEED", "missed while reconnecting", 0)
        elif verdict.kind is SeqKind.GAP:
            for _ in range(verdict.missed):
                self.state.fire("FEED", MISSED, 0)
        elif verdict.kind in (SeqKind.DUPLICATE, SeqKind.OUT_OF_ORDER):
            self.state.fire("FEED", f"{verdict.kind} update", 0)
            if verdict.missed < 0:  # it filled a gap: not missed after all, as in the summary
                self.state.take_back("FEED", MISSED, -verdict.missed)
