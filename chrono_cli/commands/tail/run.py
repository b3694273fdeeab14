"""Running `chrono tail`, without Typer: its launch to first price is what users wait for.

`chrono_cli.entry` runs a plain command line here straight from
`arguments.parse_plain`; the Typer command (`command.py`) runs here too.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from chrono_cli.exit_codes import ExitCode, report
from chrono_sim.errors import ConfigError, InvalidUrlError

if TYPE_CHECKING:
    from chrono_cli.commands.tail.arguments import TailArgs
    from chrono_cli.feed_run import Sink
    from chrono_sim.client import FeedClient


def run(args: TailArgs) -> ExitCode:
    """Stream prices until done: a live table in a terminal, JSON lines otherwise."""
    import gc

    # Starting makes tens of thousands of objects that last as long as the process, and
    # no garbage: collecting meanwhile is wasted work (about 5 to 8 ms of the launch), and
    # once frozen, later collections skip them too.
    gc.disable()
    try:
        import asyncio

        from chrono_cli.feed_run import run_feed

        client, sink = _start(args)
    except InvalidUrlError as exc:
        return report("tail", ExitCode.USAGE, str(exc))
    except ConfigError as exc:  # an unusable --cafile
        return report("tail", ExitCode.CONFIG, str(exc))
    finally:
        gc.freeze()
        gc.enable()
    return asyncio.run(
        run_feed(client, sink, command="tail", count=args.count, duration=args.duration)
    )


def _start(args: TailArgs) -> tuple[FeedClient, Sink]:
    """The client, and the sink that shows its events (Rich only for a terminal)."""
    from chrono_sim.client import FeedClient
    from chrono_sim.client.tls import client_tls_context
    from chrono_sim.protocol.clock import SystemClock

    clock = SystemClock()
    client = FeedClient(
        args.url,
        api_key=args.api_key,
        symbols=args.symbols,
        snapshot=args.snapshot,
        clock=clock,
        ssl=client_tls_context(args.url, args.cafile),
    )
    from chrono_sim.client.ledger import FaultLedger

    faults = FaultLedger(late_after=args.late_after, stall_after=args.stall_after)
    if args.json_lines or not sys.stdout.isatty():
        from chrono_cli.commands.tail.json_sink import JsonLinesSink

        return client, JsonLinesSink(faults=faults)
    from chrono_cli.commands.tail.live import TableSink
    from chrono_cli.commands.tail.state import TailState

    return client, TableSink(TailState(args.symbols, faults), clock, title=args.url)
