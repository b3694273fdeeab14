"""Closing a client connection that may hold unread frames, without waiting out a timeout."""

from __future__ import annotations

import asyncio
import contextlib

from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConcurrencyError, ConnectionClosed


async def close_reading(ws: ClientConnection, within: float) -> None:
    """Close `ws`, reading and discarding what still arrives until the server's close frame.

    With more unread frames than its receive queue holds, websockets stops reading
    the socket, so the server's close frame would lie unread behind them until the
    close timeout. A server gone or stuck ends the connection just as well, after `within` s.
    """
    discard = asyncio.create_task(_discard(ws))
    with contextlib.suppress(TimeoutError, ConnectionClosed, OSError):
        await asyncio.wait_for(ws.close(), within)
    discard.cancel()
    await asyncio.gather(discard, return_exceptions=True)


async def _discard(ws: ClientConnection) -> None:
    # ConcurrencyError: someone else is reading, which drains the queue just as well.
    with contextlib.suppress(ConnectionClosed, ConcurrencyError):
        async for _ in ws:
            pass
