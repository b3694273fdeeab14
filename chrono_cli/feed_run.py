"""Running a `FeedClient` from a command: shared by `tail`, `record` and `demo`.

Streams events into a sink until `--count` updates, `--duration`, Ctrl-C or
SIGTERM, and maps how it ended onto the exit codes: a refusal is one line on
stderr, never a traceback.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Protocol

from chrono_cli.exit_codes import ExitCode, report

if TYPE_CHECKING:
    from types import TracebackType

    from chrono_sim.client import FeedClient, FeedEvent
    from chrono_sim.errors import RequestRefusedError


# For the --help of every command that reconnects (tail, record): when it retries, and why.
RETRIES = (
    "It retries only what waiting can fix (a server not up yet, a dropped link, HTTP 429 or "
    "5xx, a DNS server not answering, a host name that stopped resolving mid-run as when a VPN "
    "drops); a wrong path or other HTTP 4xx, a host name that does not exist, and ws:// to a "
    "TLS server (use wss://) end the run at once with exit 4."
)


class Sink(Protocol):
    """Where a command sends the events it receives; entered around the whole run."""

    def __enter__(self) -> object: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> object: ...

    def handle(self, event: FeedEvent) -> None: ...


class Progress:
    """What the run got to, for choosing the exit code when it is stopped."""

    def __init__(self) -> None:
        self.connected = False
        self.reason = "no attempt finished"
        self.prices = 0
        self.stopped = False  # by Ctrl-C or SIGTERM: a normal end, even before connecting


async def run_feed(
    client: FeedClient,
    sink: Sink,
    *,
    command: str,
    count: int | None = None,
    duration: float | None = None,
    progress: Progress | None = None,
) -> ExitCode:
    """Feed `client`'s events to `sink` until done; closes the client; returns the exit code."""
    import asyncio
    import signal

    from chrono_sim.errors import (
        AuthenticationError,
        RequestRefusedError,
        ServerUnreachableError,
    )

    progress = progress or Progress()
    consumer = asyncio.create_task(_consume(client, sink, count, progress))

    def stop() -> None:
        progress.stopped = True
        consumer.cancel()

    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop)
    try:
        with sink:
            async with asyncio.timeout(duration):
                await consumer
    except (asyncio.CancelledError, TimeoutError):
        # Ctrl-C or --duration: the normal ways to stop; but a --duration that ran out
        # before any connection worked is a server that could not be reached.
        if not progress.connected and progress.stopped:
            _note(command, f"stopped before connecting to {client.url}; last: {progress.reason}")
        elif not progress.connected:
            from chrono_sim.failures import cannot_connect

            message = cannot_connect(client.url, progress.reason)
            return report(command, ExitCode.UNAVAILABLE, message)
    except AuthenticationError as exc:
        return report(command, ExitCode.UNAUTHORIZED, f"API key refused: {exc}")
    except RequestRefusedError as exc:
        return report(command, ExitCode.REFUSED, await _explain_refusal(client, exc))
    except ServerUnreachableError as exc:  # an untrusted TLS certificate: no use waiting
        return report(command, ExitCode.UNAVAILABLE, str(exc))
    except BrokenPipeError:
        _silence_stdout()  # the reader went away (e.g. `| head`): nothing left to do
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
        await client.aclose()
    return ExitCode.OK


async def _consume(client: FeedClient, sink: Sink, count: int | None, progress: Progress) -> None:
    from chrono_sim.client import Connected, Disconnected, Price

    async for event in client.events():
        sink.handle(event)
        if isinstance(event, Connected):
            progress.connected = True
        elif isinstance(event, Disconnected):
            progress.reason = event.reason
        elif isinstance(event, Price):
            progress.prices += 1
            if count is not None and progress.prices >= count:
                return


async def _explain_refusal(client: FeedClient, exc: RequestRefusedError) -> str:
    """The refusal as one line, with the closest offered symbol for each unknown one."""
    import asyncio

    from chrono_sim.client.symbols import fetch_symbols, suggest
    from chrono_sim.errors import SymbolsUnavailableError
    from chrono_sim.protocol.messages import ErrorCode

    if exc.code != ErrorCode.UNKNOWN_SYMBOL or not exc.symbols:
        return str(exc)
    try:
        offered = [
            entry["symbol"]
            for entry in await asyncio.to_thread(
                fetch_symbols, client.url, timeout=2.0, ssl=client.ssl
            )
        ]
    except SymbolsUnavailableError:
        offered = []
    parts = []
    for name in exc.symbols:
        hint = suggest(name, offered)
        parts.append(f"{name} (did you mean {hint}?)" if hint else name)
    return f"unknown symbol{'s' if len(parts) > 1 else ''}: {', '.join(parts)}"


def _note(command: str, message: str) -> None:
    print(f"chrono {command}: {message}", file=sys.stderr, flush=True)


def _silence_stdout() -> None:
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
