"""`FaultPolicy` in a `Session`: each fault as a client sees it, and the ledger that counts them.

Driven by hand with a manual clock; a scripted RNG pins down which update a
fault hits where the rule is about one update in particular.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

import pytest

from chrono_sim.faults import FaultPlan, parse_faults
from chrono_sim.faults.plan import connection_rng
from chrono_sim.faults.policy import FaultInjector, FaultPolicy
from chrono_sim.protocol.admission import Gatekeeper, Lease
from chrono_sim.protocol.catalog import DEFAULT_CATALOG
from chrono_sim.protocol.clock import ManualClock
from chrono_sim.protocol.delivery import Close
from chrono_sim.protocol.hub import Hub
from chrono_sim.protocol.keys import DEV_KEY, KeyStore
from chrono_sim.protocol.limits import ProtocolLimits
from chrono_sim.protocol.messages import CloseCode, Pong, PriceUpdate, ServerMessage, Subscribed
from chrono_sim.protocol.session import Session, SessionSettings
from tests.support.sessions import Client, quote


class ScriptedRandom(random.Random):
    """Returns the given numbers from `random()`, in order (and `uniform` draws from them)."""

    def __init__(self, values: Iterable[float]) -> None:
        super().__init__(0)
        self._values = list(values)

    def random(self) -> float:
        return self._values.pop(0)


class FaultyClient(Client):
    """A client of a session with a `FaultPolicy`, reading only prices."""

    def prices(self) -> list[PriceUpdate]:
        replies = self.replies()
        prices = [reply for reply in replies if isinstance(reply, PriceUpdate)]
        assert len(prices) == len(replies), replies
        return prices

    def seqs(self) -> list[tuple[str, int]]:
        return [(price.symbol, price.seq) for price in self.prices()]  # type: ignore[misc]


Connect = Callable[..., FaultyClient]


@pytest.fixture
def counts() -> Counter[str]:
    return Counter()


@pytest.fixture
def connect(gatekeeper: Gatekeeper, hub: Hub, clock: ManualClock, counts: Counter[str]) -> Connect:
    """A subscribed connection (BTC/USD unless told) injecting `spec`'s faults."""

    def _connect(
        spec: str | FaultPlan,
        *,
        rng: random.Random | None = None,
        symbols: tuple[str, ...] = ("BTC/USD",),
        on_ready: Callable[[], None] = lambda: None,
        **limits: Any,
    ) -> FaultyClient:
        lease = gatekeeper.admit(DEV_KEY)
        assert isinstance(lease, Lease), lease
        policy = FaultPolicy(
            parse_faults(spec) if isinstance(spec, str) else spec,
            rng=rng or random.Random("test"),
            counts=counts,
            clock=clock,
        )
        settings = SessionSettings(
            lease=lease,
            hub=hub,
            catalog=DEFAULT_CATALOG,
            clock=clock,
            limits=ProtocolLimits(**limits),
            on_ready=on_ready,
        )
        session = Session(settings, policy=policy)
        client = FaultyClient(session)
        if symbols:
            assert isinstance(client.request(type="subscribe", symbols=list(symbols)), Subscribed)
        return client

    return _connect


def publish(hub: Hub, count: int, symbol: str = "BTC/USD") -> None:
    for _ in range(count):
        hub.publish(quote(symbol))


def advance_to(client: Client, clock: ManualClock, until: float) -> list[Close]:
    """Run the session's timers deadline by deadline up to `until`; the closes asked for."""
    closes = []
    while (deadline := client.session.next_deadline()) <= until:
        clock.advance(max(0.0, deadline - clock.monotonic()))
        if (close := client.session.on_timer()) is not None:
            closes.append(close)
            assert len(closes) < 10, closes  # a close that does not move the deadline
    clock.advance(until - clock.monotonic())
    return closes


def missing(seqs: list[int], published: int) -> set[int]:
    return set(range(1, published + 1)) - set(seqs)


# --- drop ---------------------------------------------------------------------


def test_drop_withholds_updates_as_seq_gaps_and_counts_each(
    connect: Connect, hub: Hub, counts: Counter[str]
) -> None:
    client = connect("drop=0.3")
    publish(hub, 200)
    seqs = [seq for _, seq in client.seqs()]
    assert seqs == sorted(seqs)
    assert 0 < counts["drop"] == len(missing(seqs, 200))


def test_drop_1_withholds_every_update_but_no_reply(
    connect: Connect, hub: Hub, counts: Counter[str]
) -> None:
    client = connect("drop=1")
    publish(hub, 5)
    client.send(type="ping")
    assert [type(reply) for reply in client.replies()] == [Pong]
    assert counts == Counter(drop=5)


# --- duplicate ----------------------------------------------------------------


def test_duplicate_sends_an_update_twice_in_a_row_and_counts_each(
    connect: Connect, hub: Hub, counts: Counter[str]
) -> None:
    client = connect("duplicate=0.3")
    publish(hub, 100)
    seqs = [seq for _, seq in client.seqs()]
    assert sorted(set(seqs)) == list(range(1, 101))
    assert seqs == sorted(seqs)  # each repeat right after its original
    assert 0 < counts["duplicate"] == len(seqs) - 100


# --- reorder ------------------------------------------------------------------


def test_reorder_swaps_an_update_with_the_next_of_its_symbol(
    connect: Connect, hub: Hub, counts: Counter[str]
) -> None:
    client = connect("reorder=0.5", rng=ScriptedRandom([0.1, 0.9, 0.9]))
    publish(hub, 3)
    assert client.seqs() == [("BTC/USD", 2), ("BTC/USD", 1), ("BTC/USD", 3)]
    assert counts == Counter(reorder=1)


def test_a_held_update_is_not_swapped_again(
    connect: Connect, hub: Hub, counts: Counter[str]
) -> None:
    client = connect("reorder=1")
    publish(hub, 6)
    assert [seq for _, seq in client.seqs()] == [2, 1, 4, 3, 6, 5]
    assert counts == Counter(reorder=3)


def test_a_held_update_waits_for_the_next_of_its_own_symbol(
    connect: Connect, hub: Hub, counts: Counter[str]
) -> None:
    # Draws per update: reorder for BTC 1 (held), ETH 1, BTC 2.
    client = connect(
        "reorder=0.5", rng=ScriptedRandom([0.1, 0.9, 0.9]), symbols=("BTC/USD", "ETH/USD")
    )
    publish(hub, 1, "BTC/USD")
    publish(hub, 1, "ETH/USD")
    publish(hub, 1, "BTC/USD")
    assert client.seqs() == [("ETH/USD", 1), ("BTC/USD", 2), ("BTC/USD", 1)]
    assert counts == Counter(reorder=1)


def test_a_held_update_waits_past_a_dropped_one_for_the_next_sent(
    connect: Connect, hub: Hub, counts: Counter[str]
) -> None:
    # Draws per update: drop, then reorder. 1 is held, 2 dropped, 3 sent before 1.
    client = connect("drop=0.5,reorder=0.5", rng=ScriptedRandom([0.9, 0.1, 0.1, 0.9, 0.9, 0.9]))
    publish(hub, 3)
    assert [seq for _, seq in client.seqs()] == [3, 1]
    assert counts == Counter(drop=1, reorder=1)


def test_a_held_update_of_a_symbol_unsubscribed_is_discarded_uncounted(
    connect: Connect, hub: Hub, counts: Counter[str]
) -> None:
    client = connect("reorder=1")
    publish(hub, 1)
    client.request(type="unsubscribe", symbols=["BTC/USD"])
    client.request(type="subscribe", symbols=["BTC/USD"])
    publish(hub, 1)  # held in turn: nothing from before the unsubscribe comes with it
    publish(hub, 1)
    assert [seq for _, seq in client.seqs()] == [3, 2]
    assert counts == Counter(reorder=1)


def test_held_updates_are_discarded_uncounted_when_the_connection_closes(
    connect: Connect, hub: Hub, counts: Counter[str]
) -> None:
    client = connect("reorder=1")
    publish(hub, 1)
    assert client.session.pending_prices == 1  # a client-paced feed waits for it too
    client.session.close()
    assert client.session.pending_prices == 0
    assert counts == Counter()


def test_a_snapshot_discards_a_held_older_update(
    connect: Connect, hub: Hub, counts: Counter[str]
) -> None:
    client = connect("reorder=1")
    publish(hub, 1)
    client.send(type="subscribe", symbols=["BTC/USD"], snapshot=True)
    publish(hub, 1)  # held: 1 does not follow it, the snapshot already said 1
    publish(hub, 1)
    replies = client.replies()
    assert [(type(r).__name__, getattr(r, "seq", None)) for r in replies] == [
        ("Subscribed", None),
        ("PriceUpdate", 1),  # the snapshot
        ("PriceUpdate", 3),
        ("PriceUpdate", 2),
    ]
    assert counts == Counter(reorder=1)


# --- delay --------------------------------------------------------------------


def test_delay_holds_an_update_for_its_drawn_time_then_queues_it(
    connect: Connect, hub: Hub, clock: ManualClock, counts: Counter[str]
) -> None:
    client = connect("delay=1s..1s")
    publish(hub, 1)
    assert client.session.next_deadline() == 1.0
    advance_to(client, clock, 0.999)
    assert client.seqs() == []
    assert counts == Counter()  # counted once a client can see it
    advance_to(client, clock, 1.0)
    assert client.seqs() == [("BTC/USD", 1)]
    assert counts == Counter(delay=1)


def test_delays_are_drawn_between_min_and_max(
    connect: Connect, hub: Hub, clock: ManualClock, counts: Counter[str]
) -> None:
    client = connect("delay=100ms..300ms", heartbeat_interval=1000.0, idle_timeout=1000.0)
    waits = []
    for _ in range(50):
        published = clock.monotonic()
        publish(hub, 1)
        while not (prices := client.prices()):
            advance_to(client, clock, client.session.next_deadline())
        assert len(prices) == 1
        waits.append(clock.monotonic() - published)
        advance_to(client, clock, clock.monotonic() + 1.0)
    assert min(waits) >= 0.1
    assert max(waits) <= 0.3
    assert max(waits) - min(waits) > 0.1  # spread over the range, not one fixed wait
    assert counts == Counter(delay=50)


def test_later_updates_of_the_symbol_wait_behind_a_delayed_one_and_count_as_delayed(
    connect: Connect, hub: Hub, clock: ManualClock, counts: Counter[str]
) -> None:
    # Draws per update: hit, then how long. Only the first is hit; the rest would not be.
    script = [0.1, 0.5, 0.9, 0.5, 0.9, 0.5, 0.9, 0.5]
    client = connect("delay=0.5:1s..3s", rng=ScriptedRandom(script), symbols=("BTC/USD", "ETH/USD"))
    publish(hub, 1, "BTC/USD")  # delayed 2 s
    clock.advance(0.5)
    publish(hub, 1, "BTC/USD")  # waits behind it
    publish(hub, 1, "ETH/USD")  # another symbol: not held up
    assert client.seqs() == [("ETH/USD", 1)]
    advance_to(client, clock, 1.999)
    assert client.seqs() == []
    advance_to(client, clock, 2.0)
    assert client.seqs() == [("BTC/USD", 1), ("BTC/USD", 2)]
    publish(hub, 1, "BTC/USD")  # nothing delayed any more: straight out
    assert client.seqs() == [("BTC/USD", 3)]
    # Both went out late: a client counting late updates sees at most these two.
    assert counts == Counter(delay=2)


def test_a_delayed_update_of_a_symbol_unsubscribed_is_discarded_uncounted(
    connect: Connect, hub: Hub, clock: ManualClock, counts: Counter[str]
) -> None:
    client = connect("delay=1s..1s")
    publish(hub, 1)
    client.request(type="unsubscribe")
    advance_to(client, clock, 5.0)
    assert client.replies() == []
    assert counts == Counter()


def test_a_delay_tells_the_timer_its_deadline_moved_earlier(connect: Connect, hub: Hub) -> None:
    client = connect("delay=1s..1s")
    moved: list[float] = []
    assert client.session.policy is not None
    client.session.policy.watch_deadline(lambda: moved.append(client.session.next_deadline()))
    publish(hub, 1)
    publish(hub, 1)  # waits behind: the deadline stays
    assert moved == [1.0]


# --- disconnect ---------------------------------------------------------------


def test_disconnect_drops_the_connection_without_a_close_frame_every_period(
    connect: Connect, clock: ManualClock, counts: Counter[str]
) -> None:
    client = connect("disconnect=every:10s", symbols=())  # subscribed or not
    assert advance_to(client, clock, 9.999) == []
    [close] = advance_to(client, clock, 10.0)
    assert close.abort
    assert close.code == CloseCode.GOING_AWAY
    assert counts == Counter(disconnect=1)
    assert client.session.next_deadline() == 20.0  # were it still open


# --- stall --------------------------------------------------------------------


def test_stall_writes_nothing_for_its_duration_then_everything(
    connect: Connect, hub: Hub, clock: ManualClock, counts: Counter[str]
) -> None:
    ready: list[float] = []
    client = connect("stall=2s@5s", on_ready=lambda: ready.append(clock.monotonic()))
    advance_to(client, clock, 5.0)
    assert counts == Counter(stall=1)
    publish(hub, 3)
    client.send(type="ping")
    advance_to(client, clock, 6.999)
    assert client.replies() == []
    ready.clear()
    advance_to(client, clock, 7.0)
    assert ready == [7.0]  # the writer took nothing while stalled: wake it
    replies: list[ServerMessage] = client.replies()
    assert [type(reply) for reply in replies] == [Pong, PriceUpdate, PriceUpdate, PriceUpdate]


def test_stall_happens_once_per_connection(
    connect: Connect, hub: Hub, clock: ManualClock, counts: Counter[str]
) -> None:
    client = connect("stall=1s@0s", heartbeat_interval=1000.0, idle_timeout=2000.0)
    advance_to(client, clock, 100.0)
    publish(hub, 1)
    assert client.seqs() == [("BTC/USD", 1)]
    assert counts == Counter(stall=1)
    assert client.session.next_deadline() == 1000.0  # back to heartbeats only


def test_a_stall_queues_like_a_slow_reader_conflating_past_the_backlog(
    connect: Connect, hub: Hub, clock: ManualClock
) -> None:
    client = connect("stall=1s@0s", price_backlog=2, symbols=("BTC/USD", "ETH/USD"))
    advance_to(client, clock, 0.5)
    for _ in range(3):
        publish(hub, 1, "BTC/USD")
        publish(hub, 1, "ETH/USD")
    advance_to(client, clock, 1.0)
    assert client.seqs() == [("BTC/USD", 3), ("ETH/USD", 3)]


# --- the whole connection -----------------------------------------------------


def test_replies_are_never_faulted(connect: Connect, hub: Hub, counts: Counter[str]) -> None:
    client = connect("drop=1,duplicate=1,reorder=1,delay=1s..1s", symbols=())
    publish(hub, 1)
    client.send(type="ping", id=1)
    client.send(type="subscribe", symbols=["BTC/USD"], snapshot=True, id=2)
    client.send(type="unsubscribe", id=3)
    replies = client.replies()
    assert [(type(r).__name__, getattr(r, "id", None)) for r in replies] == [
        ("Pong", 1),
        ("Subscribed", 2),
        ("PriceUpdate", None),  # the snapshot
        ("Unsubscribed", 3),
    ]
    assert counts == Counter()


def test_the_same_seed_and_inputs_inject_the_same_faults() -> None:
    plan = parse_faults("drop=0.2,duplicate=0.2,reorder=0.2,delay=0.2:1s..2s")
    first, first_counts = run_connections(plan, seed=7)
    again, again_counts = run_connections(plan, seed=7)
    assert (first, first_counts) == (again, again_counts)
    assert sum(first_counts.values()) > 0
    assert first[0] != first[1]  # connections 1 and 2 draw differently


def test_which_updates_are_hit_does_not_depend_on_timing(
    connect: Connect, hub: Hub, clock: ManualClock
) -> None:
    plan = parse_faults("drop=0.3,delay=0.5:1s..2s")
    quiet = {"heartbeat_interval": 1000.0, "idle_timeout": 1000.0}
    spaced = connect(plan, rng=connection_rng(1, 1), symbols=("BTC/USD",), **quiet)
    bunched = connect(plan, rng=connection_rng(1, 1), symbols=("ETH/USD",), **quiet)
    for _ in range(100):
        publish(hub, 1, "BTC/USD")
        advance_to(spaced, clock, clock.monotonic() + 3.0)  # nothing delayed left
    for _ in range(100):
        publish(hub, 1, "ETH/USD")  # mostly behind a delayed one
        advance_to(bunched, clock, clock.monotonic() + 0.1)
    advance_to(bunched, clock, clock.monotonic() + 3.0)
    spaced_seqs = [seq for _, seq in spaced.seqs()]
    bunched_seqs = [seq for _, seq in bunched.seqs()]
    assert missing(spaced_seqs, 100) == missing(bunched_seqs, 100) != set()


def test_connection_k_draws_from_the_seed_and_k_in_order_of_opening() -> None:
    plan = FaultPlan(drop=0.5)
    injected, _ = run_connections(plan, seed=3)
    for k, seqs in enumerate(injected, start=1):
        alone, _ = run_connections(plan, seed=3, rng=connection_rng(3, k))
        assert seqs == alone[0]


def run_connections(
    plan: FaultPlan, *, seed: int, rng: random.Random | None = None
) -> tuple[list[list[tuple[str, int]]], Counter[str]]:
    """Open two connections on a fresh server-like setup and publish 100 updates.

    Connections come from a `FaultInjector`, or just one with `rng` if given.
    Returns what each connection was sent, and the fault counts.
    """
    clock, hub = ManualClock(), Hub()
    gatekeeper = Gatekeeper(KeyStore.development(), clock)
    faults = FaultInjector(plan, seed=seed, counts=Counter())
    clients: list[FaultyClient] = []
    for _ in range(1 if rng else 2):
        lease = gatekeeper.admit(DEV_KEY)
        assert isinstance(lease, Lease), lease
        settings: dict[str, Any] = {
            "lease": lease, "hub": hub, "catalog": DEFAULT_CATALOG, "clock": clock,
            "limits": ProtocolLimits(heartbeat_interval=1000.0, idle_timeout=1000.0),
        }  # fmt: skip
        if rng is None:
            session = faults.open_session(SessionSettings(**settings))
        else:
            policy = FaultPolicy(faults.plan, rng=rng, counts=faults.counts, clock=clock)
            session = Session(SessionSettings(**settings), policy=policy)
        clients.append(FaultyClient(session))
    seen: list[list[tuple[str, int]]] = [[] for _ in clients]
    for client in clients:
        client.request(type="subscribe", symbols=["BTC/USD"])
    for _ in range(100):
        hub.publish(quote())
        clock.advance(0.5)
        for client, out in zip(clients, seen, strict=True):
            client.session.on_timer()
            out.extend(client.seqs())
    return seen, faults.counts
