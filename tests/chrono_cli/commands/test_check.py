"""`chrono check` proves itself: our server passes every rule; each broken one fails one rule.

Servers run in process with short timers (heartbeats every 0.5 s, a symbol
updating every 0.02 s) and a key of 600 requests a minute, so a whole check
takes a second or two.
"""

from __future__ import annotations

import json
import signal
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from chrono_sim.conformance import ALL_CHECKS, CheckSettings, Status, run_checks
from chrono_sim.protocol.admission import Gatekeeper, Lease
from chrono_sim.protocol.keys import DEV_KEY, ApiKey, KeyStore
from chrono_sim.protocol.limits import ProtocolLimits
from chrono_sim.protocol.session import Session, SessionFactory
from chrono_sim.server import ChronoServer
from chrono_sim.server.config import ServerConfig
from tests.support.broken_servers import (
    IgnoresIdSession,
    IgnoresSnapshotSession,
    LeakySession,
    MillisecondsSession,
    NormalCloseGatekeeper,
)
from tests.support.certificates import make_pki
from tests.support.processes import eventually, start_cli
from tests.support.servers import StartServer

HEARTBEAT = 0.5
RATE = 600  # requests a minute: the rate checks wait a tenth of a second, not half


@dataclass(frozen=True)
class Server:
    """How to build a test server: limits, the dev key's limits, and the parts to swap."""

    limits: dict[str, Any] = field(default_factory=dict)
    key: dict[str, Any] = field(default_factory=dict)
    session_factory: SessionFactory = Session
    gatekeeper: type[Gatekeeper] = Gatekeeper


Serve = Callable[[Server], Awaitable[ChronoServer]]


@pytest.fixture
async def serve() -> AsyncIterator[Serve]:
    servers: list[ChronoServer] = []

    async def _serve(spec: Server) -> ChronoServer:
        key = ApiKey(key=DEV_KEY, name="dev", **{"rate_limit_per_minute": RATE, **spec.key})
        config = ServerConfig(
            host="127.0.0.1",
            port=0,
            keys=KeyStore([key]),
            limits=ProtocolLimits(**{"heartbeat_interval": HEARTBEAT, **spec.limits}),
            interval=0.02,
            seed=5,
        )
        server = ChronoServer(config, session_factory=spec.session_factory)
        server.gatekeeper = spec.gatekeeper(config.keys, server.clock)
        await server.start()
        servers.append(server)
        return server

    yield _serve
    for server in servers:
        server.close()
        await server.wait_closed()


def settings(server: ChronoServer, **overrides: Any) -> CheckSettings:
    defaults: dict[str, Any] = {
        "heartbeat_interval": HEARTBEAT,
        "rate_limit_per_minute": RATE,
        "timeout": 5,
    }
    return CheckSettings(
        url=f"ws://127.0.0.1:{server.port}/stream", api_key=DEV_KEY, **(defaults | overrides)
    )


async def test_our_server_passes_every_rule_slow_ones_included(serve: Serve) -> None:
    server = await serve(Server(limits={"idle_timeout": 1.5}))

    results = await run_checks(settings(server, slow=True, idle_timeout=1.5))

    assert [result.id for result in results] == [check.id for check in ALL_CHECKS]
    assert [(r.id, r.status, r.detail) for r in results if r.status is not Status.PASS] == []


async def test_a_key_already_mostly_spent_paces_the_run_and_fails_no_rule(serve: Serve) -> None:
    per_minute = 3000  # refills 50 a second, so the pacing costs about a second
    server = await serve(Server(key={"rate_limit_per_minute": per_minute}))
    for _ in range(per_minute - 14):  # another client spent all but a few requests
        lease = server.gatekeeper.admit(DEV_KEY)
        assert isinstance(lease, Lease)
        lease.release()

    results = await run_checks(settings(server, rate_limit_per_minute=per_minute))

    assert [(r.id, r.status) for r in results if r.status is not Status.PASS] == [
        ("idle-timeout", Status.SKIP)
    ]
    refill = next(result for result in results if result.id == "rate-limit-refill")
    assert refill.detail.startswith("capacity not checked: the bucket was not full at the start")


@dataclass(frozen=True)
class Broken:
    """A server with one fault, the one rule that must fail for it, and what it skips."""

    fails: str
    server: Server
    check: dict[str, Any] = field(default_factory=dict)
    skips: frozenset[str] = frozenset({"idle-timeout"})  # without --slow


BROKEN = [
    pytest.param(
        Broken("subscription-limit", Server(limits={"max_symbols": 11})),
        id="accepts-an-11th-symbol",
    ),
    pytest.param(
        Broken("heartbeat", Server(limits={"heartbeat_interval": 3600})),
        id="never-sends-heartbeats",
    ),
    pytest.param(
        Broken("unsubscribe-no-leak", Server(session_factory=LeakySession)),
        id="leaks-updates-after-unsubscribe",
    ),
    pytest.param(
        Broken("refuse-unknown-key", Server(gatekeeper=NormalCloseGatekeeper)),
        id="closes-1000-for-an-unknown-key",
    ),
    pytest.param(
        Broken("id-echo", Server(session_factory=IgnoresIdSession)),
        id="never-echoes-id",
    ),
    pytest.param(
        Broken("subscribe-snapshot", Server(session_factory=IgnoresSnapshotSession)),
        id="never-sends-snapshots",
    ),
    pytest.param(
        Broken("max-message-size", Server(limits={"max_message_bytes": 2 << 20})),
        id="reads-2-MiB-messages",
    ),
    pytest.param(
        Broken("timestamps", Server(session_factory=MillisecondsSession)),
        id="milliseconds-for-seconds-in-timestamps",
    ),
    pytest.param(
        Broken("connection-limit", Server(key={"max_connections": 11})),
        id="admits-an-11th-connection",
    ),
    pytest.param(
        Broken(
            "rate-limit-requests",
            Server(key={"rate_limit_per_minute": 100_000}),
            skips=frozenset({"idle-timeout", "rate-limit-connect", "rate-limit-refill"}),
        ),
        id="no-request-rate-limit",
    ),
    pytest.param(
        Broken(
            "idle-timeout",
            Server(limits={"idle_timeout": 60}),
            check={"slow": True, "idle_timeout": 1.0},
            skips=frozenset(),
        ),
        id="never-closes-idle-connections",
    ),
]


@pytest.mark.parametrize("broken", BROKEN)
async def test_a_broken_server_fails_exactly_the_rule_it_breaks(
    serve: Serve, broken: Broken
) -> None:
    server = await serve(broken.server)

    results = await run_checks(settings(server, **broken.check))

    failed = [result for result in results if result.status is Status.FAIL]
    assert [result.id for result in failed] == [broken.fails], [
        (result.id, result.detail) for result in failed
    ]
    assert failed[0].detail
    assert {result.id for result in results if result.status is Status.SKIP} == broken.skips


def cli_args(server: ChronoServer, *extra: str) -> list[str]:
    url = f"ws://127.0.0.1:{server.port}/stream"
    return ["check", url, "--heartbeat-interval", str(HEARTBEAT), "--timeout", "5",
            "--rate-limit-per-minute", str(RATE), *extra]  # fmt: skip


async def test_cli_json_lists_every_rule_and_exits_0_when_all_pass(serve: Serve) -> None:
    server = await serve(Server())

    cli = await start_cli(*cli_args(server, "--json"))

    assert await cli.finish(within=60) == 0, cli.stderr
    rows = json.loads("\n".join(cli.stdout))
    assert [row["id"] for row in rows] == [check.id for check in ALL_CHECKS]
    assert {row["status"] for row in rows if row["id"] != "idle-timeout"} == {"pass"}
    assert set(rows[0]) == {"id", "rule", "status", "detail", "seconds"}


async def test_cli_table_names_the_failed_rule_and_exits_7(serve: Serve) -> None:
    server = await serve(Server(session_factory=IgnoresIdSession))

    cli = await start_cli(*cli_args(server))

    assert await cli.finish(within=60) == 7, cli.stderr
    failing = [line for line in cli.stdout if "FAIL" in line]
    assert len(failing) == 1
    assert "id echoed on" in failing[0]
    assert "1 failed" in cli.stdout[-1]


async def test_cli_unreachable_server_is_one_line_and_exit_4(serve: Serve) -> None:
    server = await serve(Server())
    port = server.port
    server.close()
    await server.wait_closed()

    cli = await start_cli("check", f"ws://127.0.0.1:{port}/stream")

    assert await cli.finish() == 4
    assert len(cli.stderr) == 1
    assert cli.stderr[0].startswith("chrono check: error: cannot connect to ws://127.0.0.1:")
    assert cli.stdout == []


async def test_cli_refused_key_is_one_line_and_exit_5(serve: Serve) -> None:
    server = await serve(Server())

    cli = await start_cli(*cli_args(server, "--api-key", "not_a_known_key_0000"))

    assert await cli.finish() == 5
    assert len(cli.stderr) == 1
    assert "refused the API key" in cli.stderr[0]


async def test_cli_refuses_a_url_that_is_not_websocket_with_exit_2() -> None:
    cli = await start_cli("check", "http://127.0.0.1:1/stream")

    assert await cli.finish() == 2
    assert cli.stderr == [
        "chrono check: error: not a WebSocket URL: 'http://127.0.0.1:1/stream' "
        "(expected ws://HOST[:PORT]/stream)"
    ]


async def test_cli_ctrl_c_prints_the_rows_finished_and_says_it_was_interrupted(
    serve: Serve,
) -> None:
    server = await serve(Server(limits={"idle_timeout": 60}))  # the idle check waits a minute
    cli = await start_cli(*cli_args(server, "--json", "--slow", "--idle-timeout", "60"))

    def accepted() -> float:
        return server.metrics.registry.get_sample_value("chrono_connections_accepted_total") or 0

    # The preflight, then the connection-limit check alone: 10 held and one after closing one.
    # One connection more is a check of the next phase: the first row is in.
    await eventually(lambda: accepted() > 1 + 10 + 1, within=30)
    cli.process.send_signal(signal.SIGINT)

    assert await cli.finish() == 130
    rows = json.loads("\n".join(cli.stdout))
    ids = [row["id"] for row in rows]
    order = [check.id for check in ALL_CHECKS]
    assert "connection-limit" in ids  # finished before the signal
    assert "idle-timeout" not in ids  # still waiting out its minute
    assert ids == sorted(ids, key=order.index)  # in the order of the rules, not of finishing
    total = len(ALL_CHECKS)
    assert cli.stderr[-1] == (
        f"chrono check: interrupted after {len(rows)} of {total} rules; "
        f"the other {total - len(rows)} not checked"
    )


async def test_cli_ws_url_to_a_tls_server_says_to_try_wss(
    start_server: StartServer, tmp_path: Path
) -> None:
    pki = make_pki(tmp_path)
    server = await start_server(certfile=pki.cert, keyfile=pki.key)
    url = f"ws://127.0.0.1:{server.port}/stream"

    cli = await start_cli("check", url)

    assert await cli.finish() == 4
    assert cli.stderr == [
        f"chrono check: error: cannot connect to {url}: "
        f"the server speaks TLS: try wss://127.0.0.1:{server.port}/stream"
    ]
