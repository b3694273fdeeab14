"""A connection's outbox: replies in order, prices conflated past a bound, one wake-up per flush."""

from __future__ import annotations

from chrono_sim.protocol.outbox import Outbox


class Wakeups:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> None:
        self.count += 1


def outbox(price_limit: int = 4) -> tuple[Outbox, Wakeups]:
    wakeups = Wakeups()
    return Outbox(reply_limit_bytes=100, price_limit=price_limit, on_ready=wakeups), wakeups


def test_the_adapter_is_woken_once_per_emptying_not_once_per_frame() -> None:
    box, wakeups = outbox()
    box.put_price("A", b"a1")
    box.put_reply(b"r1")
    box.put_price("B", b"b1")
    assert wakeups.count == 1
    box.take()
    box.put_reply(b"r2")
    assert wakeups.count == 2


def test_replies_come_first_then_prices_in_arrival_order() -> None:
    box, _ = outbox()
    box.put_price("A", b"a1")
    box.put_reply(b"r1")
    box.put_price("B", b"b1")
    batch = box.take()
    assert (batch.frames, batch.price_frames) == ([b"r1", b"a1", b"b1"], 2)
    assert len(box) == 0


def test_past_the_limit_prices_conflate_to_the_latest_of_each_symbol() -> None:
    box, _ = outbox(price_limit=4)
    for frame in (b"a1", b"b1", b"a2", b"b2", b"a3"):
        box.put_price(frame[:1].decode().upper(), frame)
    assert box.take().frames == [b"b2", b"a3"]  # in order of their latest update


def test_unsubscribed_symbols_lose_their_pending_prices_and_nothing_else() -> None:
    box, _ = outbox()
    for symbol, frame in (("A", b"a1"), ("B", b"b1"), ("A", b"a2")):
        box.put_price(symbol, frame)
    box.discard_prices(["A"])
    assert box.take().frames == [b"b1"]


def test_replies_count_their_bytes_against_the_backlog_limit() -> None:
    box, _ = outbox()
    box.put_reply(b"x" * 99)
    assert not box.replies_full
    box.put_reply(b"y")
    assert box.replies_full
    box.take()
    assert not box.replies_full
