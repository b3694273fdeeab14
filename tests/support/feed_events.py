"""`Price` events made by hand, as `FeedClient` would yield them, for client and tail tests."""

from __future__ import annotations

from chrono_sim.client import Price, SeqKind
from chrono_sim.protocol.messages import PriceUpdate, encode
from chrono_sim.protocol.timestamps import format_timestamp

URL = "ws://localhost:3000/stream"
T0 = 1_760_000_000.0  # a whole second, so timestamps keep it exactly
TIMESTAMP = "2025-10-10T14:30:00.000Z"


def timed_price(
    sent_at: float,
    received_at: float,
    *,
    seq: int = 1,
    kind: SeqKind = SeqKind.IN_ORDER,
    missed: int = 0,
    snapshot: bool = False,
    across_reconnect: bool = False,
) -> Price:
    """An update of BTC/USD stamped `sent_at` and received at `received_at` (epoch seconds)."""
    update = PriceUpdate(
        symbol="BTC/USD", price=1.0, volume=1.0, timestamp=format_timestamp(sent_at),
        source="x", seq=seq, **({"snapshot": True} if snapshot else {}),
    )  # fmt: skip
    return Price(update, encode(update).decode(), received_at, missed, kind, across_reconnect)


def symbol_price(
    symbol: str,
    value: float,
    *,
    volume: float | None = 28e9,
    source: str = "coinbase",
    missed: int = 0,
) -> Price:
    """An update of `symbol` at `value`, as tail's table receives it."""
    update = PriceUpdate(
        symbol=symbol, price=value, volume=volume, timestamp=TIMESTAMP, source=source, seq=1
    )
    return Price(update=update, raw=encode(update).decode(), received_at=0.0, missed=missed)
