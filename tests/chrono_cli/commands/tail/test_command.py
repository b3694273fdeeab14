"""`chrono tail` as a user runs it, against a real server started by the test."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import signal
import socket
import sys
import time

from chrono_sim.protocol.hub import Hub
from chrono_sim.server import ChronoServer
from tests.support.processes import Cli, eventually, run_cli, start_cli
from tests.support.servers import StartServer
from tests.support.sessions import quote


async def start_tail(*args: str) -> Cli:
    return await start_cli("tail", *args)


def ws_url(server: ChronoServer) -> str:
    return f"ws://127.0.0.1:{server.port}/stream"


def without_receive_time(line: str) -> dict[str, object]:
    update = json.loads(line)
    assert "received_at" in update
    del update["received_at"]
    return update  # type: ignore[no-any-return]


async def test_json_output_is_exactly_the_received_updates(server: ChronoServer) -> None:
    tail = await start_tail("BTC/USD", "ETH/USD", "--json", "--count", "3", "--url", ws_url(server))
    await eventually(lambda: server.hub.subscriber_count("ETH/USD") == 1)
    published = [
        server.hub.publish(quote("BTC/USD", 45123.5)),
        server.hub.publish(quote("ETH/USD", 3012.25)),
        server.hub.publish(quote("BTC/USD", 45124.0)),
    ]
    assert await tail.finish() == 0
    assert [without_receive_time(line) for line in tail.stdout] == [
        json.loads(frame) for frame in published
    ]
    assert all(
        line.startswith(frame.decode()[:-1])
        for line, frame in zip(tail.stdout, published, strict=True)
    )


async def test_reconnects_after_a_restart_resubscribes_and_counts_missed_updates(
    start_server: StartServer,
) -> None:
    first = await start_server()
    port = first.port
    hub: Hub = first.hub
    tail = await start_tail("BTC/USD", "--json", "--count", "2", "--url", ws_url(first))
    await eventually(lambda: hub.subscriber_count("BTC/USD") == 1)
    hub.publish(quote("BTC/USD", 1.0))  # seq 1, received
    await eventually(lambda: len(tail.stdout) == 1)
    first.close()
    await first.wait_closed()
    for price in (2.0, 3.0, 4.0):  # seq 2-4, published while the client is away
        hub.publish(quote("BTC/USD", price))
    second = ChronoServer(
        dataclasses.replace(first.config, port=port), source=first.source, hub=hub
    )
    await second.start()
    try:
        await eventually(lambda: hub.subscriber_count("BTC/USD") == 1)
        hub.publish(quote("BTC/USD", 5.0))  # seq 5
        assert await tail.finish() == 0
    finally:
        second.close()
        await second.wait_closed()
    assert [json.loads(line)["seq"] for line in tail.stdout] == [1, 5]
    stderr = "\n".join(tail.stderr)
    assert "disconnected: closed 1001" in stderr
    assert "reconnecting in" in stderr
    assert "missed 3 update(s) of BTC/USD before seq 5" in stderr


async def test_a_refused_key_exits_5_at_once_without_retrying(server: ChronoServer) -> None:
    started = time.monotonic()
    tail = await start_tail("BTC/USD", "--json", "--api-key", "wrong", "--url", ws_url(server))
    assert await tail.finish() == 5
    assert time.monotonic() - started < 5
    assert tail.stdout == []
    assert (
        tail.stderr[-1]
        == "chrono tail: error: API key refused: Authentication failed: unknown API key"
    )
    assert not any("reconnecting" in line for line in tail.stderr)


async def test_an_unknown_symbol_exits_6_with_a_suggestion(server: ChronoServer) -> None:
    tail = await start_tail("BTC/USDT", "--json", "--url", ws_url(server))
    assert await tail.finish() == 6
    assert tail.stderr[-1] == "chrono tail: error: unknown symbol: BTC/USDT (did you mean BTC/USD?)"


async def test_duration_ends_the_run_on_time(server: ChronoServer) -> None:
    started = time.monotonic()
    tail = await start_tail("BTC/USD", "--json", "--duration", "1", "--url", ws_url(server))
    assert await tail.finish() == 0
    assert 1.0 <= time.monotonic() - started < 6.0


async def test_a_server_that_is_not_up_is_retried_until_the_duration_ends() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    tail = await start_tail(
        "BTC/USD", "--json", "--duration", "1.5", "--url", f"ws://127.0.0.1:{port}/stream"
    )
    assert await tail.finish() == 4
    assert any(line.startswith("chrono tail: reconnecting in") for line in tail.stderr)
    assert tail.stderr[-1].startswith(
        f"chrono tail: error: cannot connect to ws://127.0.0.1:{port}/stream: connection refused"
    )


async def test_ctrl_c_stops_cleanly_with_exit_0(server: ChronoServer) -> None:
    tail = await start_tail("BTC/USD", "--json", "--url", ws_url(server))
    await eventually(lambda: server.hub.subscriber_count("BTC/USD") == 1)
    tail.process.send_signal(signal.SIGINT)
    assert await tail.finish() == 0
    await eventually(lambda: server.hub.subscriber_count("BTC/USD") == 0)
    assert not any("error" in line for line in tail.stderr)


async def test_ctrl_c_with_a_backlog_unread_does_not_wait_out_the_close_timeout(
    server: ChronoServer,
) -> None:
    # More unread updates than the client's receive queue holds: unless tail reads on
    # while closing, the server's close frame lies unread behind them for 10 s.
    tail = await start_tail("BTC/USD", "--json", "--url", ws_url(server))
    await eventually(lambda: server.hub.subscriber_count("BTC/USD") == 1)
    tail.process.send_signal(signal.SIGSTOP)
    for step in range(5_000):
        server.hub.publish(quote("BTC/USD", 45_000.0 + step))
        if step % 200 == 0:
            await asyncio.sleep(0.01)
    tail.process.send_signal(signal.SIGCONT)
    await eventually(lambda: len(tail.stdout) >= 50)  # busy with the backlog
    started = time.monotonic()
    tail.process.send_signal(signal.SIGINT)
    assert await tail.finish() == 0
    assert time.monotonic() - started < 5  # the close timeout is 10 s


async def test_symbols_lists_what_the_server_offers(server: ChronoServer) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "chrono_cli", "symbols", "--json", "--url", ws_url(server),
        stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    stdout, _ = await process.communicate()
    assert process.returncode == 0
    listed = [entry["symbol"] for entry in json.loads(stdout)]
    assert listed == list(server.config.catalog.symbols)


async def test_a_wrong_path_exits_4_at_once_with_one_line(server: ChronoServer) -> None:
    url = f"ws://127.0.0.1:{server.port}/wrong"
    started = time.monotonic()
    tail = await start_tail("BTC/USD", "--json", "--url", url)

    assert await tail.finish() == 4
    assert time.monotonic() - started < 5
    assert tail.stderr == [
        f"chrono tail: error: cannot connect to {url}: handshake answered HTTP 404 Not Found "
        "(no WebSocket endpoint at /wrong; a Chrono server's is /stream)"
    ]


async def test_ctrl_c_before_ever_connecting_exits_0_saying_why_it_never_did() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"ws://127.0.0.1:{port}/stream"
    tail = await start_tail("BTC/USD", "--json", "--url", url)
    await eventually(lambda: any("reconnecting in" in line for line in tail.stderr))

    tail.process.send_signal(signal.SIGINT)

    assert await tail.finish() == 0
    assert tail.stderr[-1] == (
        f"chrono tail: stopped before connecting to {url}; "
        "last: connection refused (is the server up?)"
    )


def test_help_says_what_is_retried_and_what_ends_the_run() -> None:
    result = run_cli("tail", "--help")

    assert "It retries only what waiting can fix" in " ".join(result.stdout.split())
