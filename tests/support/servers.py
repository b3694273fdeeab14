"""The type of the `start_server` fixture (tests/conftest.py), for annotating tests."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from chrono_sim.server import ChronoServer

StartServer = Callable[..., Awaitable[ChronoServer]]
