"""One WebSocket connection of the server, from handshake to close.

- `transport`: the websockets connection subclass (write readiness, ping
  ration, the roster that shutdown drops stragglers from);
- `handler`: admission (API key, limits), with its logs and metrics, then
  the session opened through the server's `SessionFactory`;
- `run`: the reader, the timer and the writer around that session;
- `writer`: moving queued frames to sockets, one write per turn (`Flusher`).
"""

from chrono_sim.server.connection.handler import ConnectionHandler
from chrono_sim.server.connection.transport import StreamConnection, connection_type, drop_all
from chrono_sim.server.connection.writer import ConnectionWriter, Flusher

__all__ = [
    "ConnectionHandler",
    "ConnectionWriter",
    "Flusher",
    "StreamConnection",
    "connection_type",
    "drop_all",
]
