"""Chrono Sim: a simulator and toolkit for the Chrono `/stream` price protocol.

The protocol core (`messages`, `session`, `admission`, `hub`, `outbox`) is pure:
it imports neither asyncio nor websockets and reads time through `clock.Clock`.
`chrono_sim.server` is the thin adapter that wires it to real sockets.
"""

__version__ = "0.1.0"
