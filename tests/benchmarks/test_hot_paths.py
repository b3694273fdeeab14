"""Speed of the hot paths, printed by pytest-benchmark (no pass/fail thresholds here).

Run alone with: pytest tests/benchmarks --benchmark-only
"""

from __future__ import annotations

from pytest_benchmark.fixture import BenchmarkFixture

from chrono_sim.protocol.admission import Gatekeeper, Lease
from chrono_sim.protocol.catalog import DEFAULT_CATALOG
from chrono_sim.protocol.clock import ManualClock
from chrono_sim.protocol.hub import Hub
from chrono_sim.protocol.keys import ApiKey, KeyStore
from chrono_sim.protocol.limits import ProtocolLimits
from chrono_sim.protocol.messages import decode_client_message
from chrono_sim.protocol.session import Session, SessionSettings
from chrono_sim.protocol.timestamps import format_timestamp
from chrono_sim.sources import SyntheticSource
from tests.support.sessions import quote

SUBSCRIBE = '{"type":"subscribe","symbols":["BTC/USD","ETH/USD","SOL/USD"],"id":42}'
SUBSCRIBERS = 200


def sessions(count: int, hub: Hub, clock: ManualClock) -> list[Session]:
    keys = KeyStore(
        [
            ApiKey(
                key="bench_key_000000000001",
                name="bench",
                max_connections=count,
                rate_limit_per_minute=count,
            )
        ]
    )
    gate = Gatekeeper(keys, clock)
    made = []
    for _ in range(count):
        lease = gate.admit("bench_key_000000000001")
        assert isinstance(lease, Lease)
        made.append(
            Session(
                SessionSettings(
                    lease=lease,
                    hub=hub,
                    catalog=DEFAULT_CATALOG,
                    clock=clock,
                    limits=ProtocolLimits(),
                )
            )
        )
    return made


def test_decode_subscribe(benchmark: BenchmarkFixture) -> None:
    benchmark(decode_client_message, SUBSCRIBE)


def test_format_timestamp(benchmark: BenchmarkFixture) -> None:
    benchmark(format_timestamp, 1_760_106_600.123)


def test_session_ping_round_trip(benchmark: BenchmarkFixture) -> None:
    clock = ManualClock()
    (session,) = sessions(1, Hub(), clock)

    def ping() -> list[bytes]:
        session.receive('{"type":"ping"}')
        return session.take_frames()

    benchmark(ping)


def test_publish_to_200_subscribers(benchmark: BenchmarkFixture) -> None:
    """One update: number it, encode it once, queue the same bytes for 200 sessions."""
    clock = ManualClock()
    hub = Hub()
    for session in sessions(SUBSCRIBERS, hub, clock):
        hub.subscribe(session, ["BTC/USD"])
    update = quote()
    benchmark(hub.publish, update)


def test_synthetic_source_quote(benchmark: BenchmarkFixture) -> None:
    """Generating one quote of the synthetic market (per-quote cost at 1 s steps)."""
    clock = ManualClock()
    source = SyntheticSource(catalog=DEFAULT_CATALOG, clock=clock, seed=1, interval=1.0)

    def step() -> None:
        clock.advance(1.0 / len(DEFAULT_CATALOG))
        source.pop_due(clock.monotonic())

    benchmark(step)
