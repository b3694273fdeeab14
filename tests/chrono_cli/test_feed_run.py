"""`run_feed`: how a run of `tail` or `record` ends, in process (the name lookup faked)."""

from __future__ import annotations

import io
import socket
import time

import pytest

from chrono_cli.commands.tail.json_sink import JsonLinesSink
from chrono_cli.exit_codes import ExitCode
from chrono_cli.feed_run import run_feed
from chrono_sim.client import FeedClient, ReconnectPolicy
from chrono_sim.protocol.keys import DEV_KEY
from tests.support.handshakes import fake_names


async def test_a_host_name_that_does_not_exist_ends_at_once_with_the_url(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_names(monkeypatch, {"nosuch.invalid": socket.EAI_NONAME})
    url = "ws://nosuch.invalid:3000/stream"
    client = FeedClient(
        url, api_key=DEV_KEY, symbols=["BTC/USD"], policy=ReconnectPolicy(initial=0.01)
    )
    status = io.StringIO()
    started = time.monotonic()

    code = await run_feed(client, JsonLinesSink(err=status), command="tail", duration=5)

    assert code == ExitCode.UNAVAILABLE
    assert time.monotonic() - started < 2
    assert status.getvalue() == ""  # not a word of reconnecting
    assert capsys.readouterr().err == (
        f"chrono tail: error: cannot connect to {url}: host name not found\n"
    )
