"""The thin adapter between real sockets and the pure protocol core."""

from chrono_sim.server.app import ChronoServer

__all__ = ["ChronoServer"]
