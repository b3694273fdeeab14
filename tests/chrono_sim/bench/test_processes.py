"""The bench's server process binds where it is told: `chrono bench --host/--port`."""

from __future__ import annotations

import socket
import time

import pytest

from chrono_sim.bench.metronome import Schedule
from chrono_sim.bench.processes import ServerKind, ServerSpec, running_server

SYMBOLS = ("BTC/USD", "ETH/USD")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def spec(kind: ServerKind, port: int) -> ServerSpec:
    schedule = Schedule(time.time() + 60, 1.0, SYMBOLS)
    return ServerSpec(kind, schedule, "asyncio", None, host="127.0.0.1", port=port)


@pytest.mark.parametrize("kind", ["chrono", "baseline"])
def test_the_server_under_test_listens_on_the_port_asked_for(kind: ServerKind) -> None:
    wanted = free_port()
    with running_server(spec(kind, wanted)) as (_, port):
        assert port == wanted
        socket.create_connection(("127.0.0.1", port), timeout=5).close()


def test_port_zero_picks_a_free_one() -> None:
    with running_server(spec("chrono", 0)) as (_, port):
        assert port > 0
        socket.create_connection(("127.0.0.1", port), timeout=5).close()


def test_a_port_taken_is_said_at_once() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        started = time.monotonic()
        with (
            pytest.raises(RuntimeError, match=f"cannot listen on 127.0.0.1:{port}: "),
            running_server(spec("chrono", port)),
        ):
            pass
        assert time.monotonic() - started < 20  # not the 30 s wait for a server that never came
