"""Connection admission: key, then rate, then the key's open connections."""

from __future__ import annotations

from chrono_sim.protocol.admission import Gatekeeper, Lease, Refusal
from chrono_sim.protocol.clock import ManualClock
from chrono_sim.protocol.keys import DEV_KEY, ApiKey, KeyStore
from chrono_sim.protocol.messages import CloseCode, ErrorCode

LIMITED = ApiKey(key="limited_key_0001", name="limited", max_connections=2, rate_limit_per_minute=3)


def limited_gatekeeper(clock: ManualClock) -> Gatekeeper:
    return Gatekeeper(KeyStore([LIMITED, ApiKey(key=DEV_KEY, name="dev")]), clock)


def refusal(outcome: Lease | Refusal) -> Refusal:
    assert isinstance(outcome, Refusal), outcome
    return outcome


def test_a_known_key_is_admitted(gatekeeper: Gatekeeper) -> None:
    lease = gatekeeper.admit(DEV_KEY)
    assert isinstance(lease, Lease)
    assert lease.api_key.key == DEV_KEY


def test_a_missing_key_is_unauthorized_with_4401(gatekeeper: Gatekeeper) -> None:
    refused = refusal(gatekeeper.admit(None))
    assert (refused.code, refused.close_code) == (ErrorCode.UNAUTHORIZED, CloseCode.UNAUTHORIZED)
    assert refused.close_code == 4401


def test_an_unknown_key_is_unauthorized_with_4401(gatekeeper: Gatekeeper) -> None:
    refused = refusal(gatekeeper.admit("chrono_public_dev_key_002"))
    assert refused.code == ErrorCode.UNAUTHORIZED
    assert "unknown" in refused.message


def test_the_eleventh_connection_of_a_key_is_refused_with_4429(gatekeeper: Gatekeeper) -> None:
    leases = [gatekeeper.admit(DEV_KEY) for _ in range(10)]
    assert all(isinstance(lease, Lease) for lease in leases)
    refused = refusal(gatekeeper.admit(DEV_KEY))
    assert (refused.code, refused.close_code) == (ErrorCode.CONNECTION_LIMIT, 4429)


def test_a_released_connection_frees_its_slot(gatekeeper: Gatekeeper) -> None:
    leases = [gatekeeper.admit(DEV_KEY) for _ in range(10)]
    assert isinstance(leases[0], Lease)
    leases[0].release()
    leases[0].release()  # idempotent: does not free a second slot
    assert isinstance(gatekeeper.admit(DEV_KEY), Lease)
    refusal(gatekeeper.admit(DEV_KEY))


def test_a_refused_connection_never_counts_as_open(clock: ManualClock) -> None:
    gate = limited_gatekeeper(clock)
    first, second = gate.admit(LIMITED.key), gate.admit(LIMITED.key)
    refusal(gate.admit(LIMITED.key))
    assert gate.open_connections(LIMITED.key) == 2
    assert isinstance(first, Lease)
    first.release()
    assert gate.open_connections(LIMITED.key) == 1
    assert isinstance(second, Lease)


def test_connection_attempts_over_the_rate_are_rate_limited(clock: ManualClock) -> None:
    gate = limited_gatekeeper(clock)
    for _ in range(2):
        lease = gate.admit(LIMITED.key)
        assert isinstance(lease, Lease)
        lease.release()
    assert isinstance(gate.admit(LIMITED.key), Lease)
    refused = refusal(gate.admit(LIMITED.key))
    assert (refused.code, refused.close_code) == (ErrorCode.RATE_LIMITED, 4429)
    assert refused.retry_after_ms == 20_000  # 3 per minute: one token every 20 s


def test_rate_is_checked_before_the_connection_count(clock: ManualClock) -> None:
    gate = limited_gatekeeper(clock)
    gate.admit(LIMITED.key)
    gate.admit(LIMITED.key)
    gate.admit(LIMITED.key)  # third token spent; refused for the connection count
    assert refusal(gate.admit(LIMITED.key)).code == ErrorCode.RATE_LIMITED


def test_keys_have_separate_limits(clock: ManualClock) -> None:
    gate = limited_gatekeeper(clock)
    for _ in range(3):
        gate.admit(LIMITED.key)
    assert isinstance(gate.admit(DEV_KEY), Lease)


def test_the_refusal_error_message_carries_retry_after(clock: ManualClock) -> None:
    gate = limited_gatekeeper(clock)
    for _ in range(3):
        gate.admit(LIMITED.key)
    error = refusal(gate.admit(LIMITED.key)).error("2025-10-10T14:30:00.000Z")
    assert (error.code, error.retry_after_ms) == (ErrorCode.RATE_LIMITED, 20_000)
