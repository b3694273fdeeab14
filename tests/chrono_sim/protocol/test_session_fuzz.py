"""Property: whatever a client sends, the session answers with defined replies only."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from chrono_sim.protocol.admission import Gatekeeper, Lease
from chrono_sim.protocol.catalog import DEFAULT_CATALOG
from chrono_sim.protocol.clock import ManualClock
from chrono_sim.protocol.hub import Hub
from chrono_sim.protocol.keys import DEV_KEY, KeyStore
from chrono_sim.protocol.limits import ProtocolLimits
from chrono_sim.protocol.messages import (
    Error,
    ErrorCode,
    Pong,
    PriceUpdate,
    Subscribed,
    Unsubscribed,
)
from chrono_sim.protocol.session import Session, SessionSettings
from tests.support.sessions import decode_frames

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)
symbols = st.sampled_from([*DEFAULT_CATALOG.symbols, "btc/usd", "NOPE", "", "eth/BTC"])
plausible_messages = st.fixed_dictionaries(
    {"type": st.sampled_from(["subscribe", "unsubscribe", "ping", "pong", "Subscribe", ""])},
    optional={
        "symbols": st.lists(symbols, max_size=12) | json_values,
        "id": st.integers() | st.text(max_size=5) | json_values,
        "snapshot": st.booleans() | json_values,
    },
)
frames = (
    st.text()
    | st.binary(max_size=64)
    | json_values.map(json.dumps)
    | plausible_messages.map(json.dumps)
)
DIRECT_REPLIES = (Subscribed, Unsubscribed, Pong, Error)


def new_session() -> Session:
    clock = ManualClock()
    lease = Gatekeeper(KeyStore.development(), clock).admit(DEV_KEY)
    assert isinstance(lease, Lease)
    hub = Hub()
    return Session(
        SessionSettings(
            lease=lease, hub=hub, catalog=DEFAULT_CATALOG, clock=clock, limits=ProtocolLimits()
        )
    )


@settings(max_examples=400, deadline=None)
@given(st.lists(frames, min_size=1, max_size=8))
def test_every_frame_gets_exactly_one_defined_direct_reply(batch: list[Any]) -> None:
    session = new_session()
    for frame in batch:
        session.receive(frame)
        replies = decode_frames(session.take_frames())
        direct = [reply for reply in replies if not isinstance(reply, PriceUpdate)]
        assert len(direct) == 1, replies
        reply = direct[0]
        assert isinstance(reply, DIRECT_REPLIES)
        if isinstance(reply, Error):
            assert reply.code in set(ErrorCode)
            assert reply.message
        assert len(session.symbols) <= 10
        assert set(session.symbols) <= set(DEFAULT_CATALOG.symbols)


@settings(max_examples=200, deadline=None)
@given(plausible_messages)
def test_a_message_id_is_echoed_whenever_it_is_a_string_or_integer(message: dict[str, Any]) -> None:
    session = new_session()
    session.receive(json.dumps(message))
    reply = decode_frames(session.take_frames())[0]
    sent_id = message.get("id")
    valid_id = isinstance(sent_id, str) or (
        isinstance(sent_id, int) and not isinstance(sent_id, bool)
    )
    assert isinstance(reply, DIRECT_REPLIES)
    if valid_id:
        assert reply.id == sent_id
