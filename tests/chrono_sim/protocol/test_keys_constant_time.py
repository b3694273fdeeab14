"""Key lookup ends in a constant-time comparison, never in `==` on the key.

The store finds its candidate by the SHA-256 digest of what was presented
(the time of a dict lookup on a digest says nothing about how much of the
key was right), then confirms it with `hmac.compare_digest`: these tests
fail if that confirmation is skipped or done with `==`.
"""

from __future__ import annotations

import hmac

import pytest

from chrono_sim.protocol.keys import ApiKey, KeyStore

TEAM = ApiKey(key="team_secret_key_0123456789", name="Team")
OTHER = ApiKey(key="other_secret_key_0123456789", name="Other")
REAL_COMPARE = hmac.compare_digest  # the spy replaces it in the `hmac` module itself


class CompareSpy:
    """Records each `compare_digest` call; answers as the real one, or as told."""

    def __init__(self, answer: bool | None = None) -> None:
        self.calls: list[tuple[bytes, bytes]] = []
        self._answer = answer

    def __call__(self, a: bytes, b: bytes) -> bool:
        self.calls.append((a, b))
        return REAL_COMPARE(a, b) if self._answer is None else self._answer


def spy_on_compare(monkeypatch: pytest.MonkeyPatch, answer: bool | None = None) -> CompareSpy:
    spy = CompareSpy(answer)
    monkeypatch.setattr(hmac, "compare_digest", spy)  # what `keys` calls, `hmac.compare_digest`
    return spy


def test_a_known_key_is_confirmed_by_compare_digest(monkeypatch: pytest.MonkeyPatch) -> None:
    spy = spy_on_compare(monkeypatch)

    assert KeyStore([TEAM, OTHER]).lookup(TEAM.key) is TEAM
    assert spy.calls == [(TEAM.key.encode(), TEAM.key.encode())]


def test_lookup_accepts_a_key_only_if_compare_digest_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    spy_on_compare(monkeypatch, answer=False)

    assert KeyStore([TEAM]).lookup(TEAM.key) is None


def test_an_unknown_key_is_never_compared_with_a_stored_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    spy = spy_on_compare(monkeypatch)

    assert KeyStore([TEAM]).lookup("team_secret_key_0123456780") is None
    assert spy.calls == []  # its digest matched no stored digest
