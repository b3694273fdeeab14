"""Where the bench's clients connect, for the address its server binds (`--host`)."""

from __future__ import annotations

import pytest

from chrono_sim.bench.scenarios import client_url


@pytest.mark.parametrize(
    ("host", "url"),
    [
        ("127.0.0.1", "ws://127.0.0.1:4000/stream"),
        ("10.1.2.3", "ws://10.1.2.3:4000/stream"),
        ("0.0.0.0", "ws://127.0.0.1:4000/stream"),  # every address: reached on loopback
        ("localhost", "ws://127.0.0.1:4000/stream"),
        ("::1", "ws://[::1]:4000/stream"),
        ("::", "ws://[::1]:4000/stream"),
    ],
)
def test_clients_connect_where_the_server_binds(host: str, url: str) -> None:
    assert client_url(host, 4000) == url
