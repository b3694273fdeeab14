"""Helpers shared by the tests: a hand-driven session client and quote factory."""

from __future__ import annotations

import json
from typing import Any

from chrono_sim.protocol.messages import ServerMessage, decode_server_message
from chrono_sim.protocol.quote import Quote
from chrono_sim.protocol.session import Session
from chrono_sim.protocol.wire import text_payloads


class Client:
    """One session of the pure core, with the conveniences a test wants."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def send(self, **message: Any) -> None:
        self.session.receive(json.dumps(message))

    def send_raw(self, data: str | bytes) -> None:
        self.session.receive(data)

    def replies(self) -> list[ServerMessage]:
        """Every frame the session wants written now, decoded."""
        return decode_frames(self.session.take_frames())

    def reply(self) -> ServerMessage:
        """The one frame the session wants written now."""
        replies = self.replies()
        assert len(replies) == 1, replies
        return replies[0]

    def request(self, **message: Any) -> ServerMessage:
        """Send a message and return its single reply."""
        self.send(**message)
        return self.reply()


def decode_frames(frames: list[bytes]) -> list[ServerMessage]:
    """The messages in wire-ready frames, as a client would read them."""
    return [decode_server_message(payload) for payload in text_payloads(b"".join(frames))]


def quote(symbol: str = "BTC/USD", price: float = 45123.5, *, at: float = 1_760_106_600.0) -> Quote:
    return Quote(symbol, price, 1234567.89, "coinbase", at)
