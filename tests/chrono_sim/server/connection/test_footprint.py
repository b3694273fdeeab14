"""Per-connection memory: our subclasses of websockets' connection add nothing to its dict."""

from __future__ import annotations

from websockets.asyncio.server import ServerConnection

from chrono_sim.server.connection import connection_type


def test_every_subclass_of_the_library_connection_keeps_its_state_in_slots() -> None:
    # The library's connection has about 30 attributes, the most whose keys an instance
    # dict can share; one attribute more in the dict costs every connection ~2 KiB
    # (chrono bench: 14.7 KiB per connection, 16.9 with two more attributes).
    served = connection_type(max_pings_per_minute=600)
    ours = served.__mro__[: served.__mro__.index(ServerConnection)]
    assert ours, "the server's connection class derives from ServerConnection"
    for cls in ours:
        assert "__slots__" in vars(cls), f"{cls.__qualname__} has no __slots__"
