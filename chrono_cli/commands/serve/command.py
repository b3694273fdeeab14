"""`chrono serve`: the `/stream` server on the synthetic market or a replayed file."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from chrono_cli.commands.serve.options import (
    REPLAY_ONLY,
    SYNTHETIC_ONLY,
    fault_spec,
    log_format_choice,
    refuse_given,
    replay_speed,
    window_bound,
)
from chrono_cli.exit_codes import ExitCode, fail
from chrono_cli.options import MAX_PORT, MAX_UNIVERSE, check_interval, duration_option

if TYPE_CHECKING:
    from chrono_cli.commands.serve.replay import Announcement
    from chrono_sim.sources import ReplaySource

EPILOG = (
    "Durations: seconds, or a number with a unit: 90, 90s, 10m, 24h, 250ms. Ctrl-C or SIGTERM "
    "closes every connection with 1001 and exits 0. Exit codes: 0 stopped by Ctrl-C or "
    "SIGTERM; 2 bad command line; 3 unusable --replay file, keys file or certificate; "
    "4 cannot listen (port taken, or address not available)."
)


def serve(
    ctx: typer.Context,
    host: Annotated[
        str,
        typer.Option(
            metavar="HOST", help="Address to bind; 'localhost' binds both 127.0.0.1 and ::1."
        ),
    ] = "localhost",
    port: Annotated[
        int,
        typer.Option(min=0, max=MAX_PORT, metavar="PORT", help="TCP port (0 picks a free one)."),
    ] = 3000,
    interval: Annotated[
        float,
        duration_option(
            description="Mean time between two updates of one symbol (synthetic market).",
        ),
    ] = 4.0,
    heartbeat_interval: Annotated[
        float,
        duration_option(
            description="Time between automatic heartbeat pongs.",
            positive=True,
        ),
    ] = 30.0,
    idle_timeout: Annotated[
        float,
        duration_option(
            description="Close a connection idle this long (code 4408).",
            positive=True,
        ),
    ] = 300.0,
    seed: Annotated[
        int | None,
        typer.Option(
            min=0,
            metavar="N",
            help="Seed of the synthetic market and of --fault (default: random, logged).",
        ),
    ] = None,
    universe: Annotated[
        int,
        typer.Option(
            min=0,
            max=MAX_UNIVERSE,
            metavar="N",
            help="Add N made-up symbols to the market (scale tests).",
        ),
    ] = 0,
    replay: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE",
            help="Replay a recorded file (JSON lines or CSV, maybe .gz) instead of the "
            "synthetic market; it starts when the first client subscribes.",
        ),
    ] = None,
    speed: Annotated[
        float,
        typer.Option(
            parser=replay_speed,
            metavar="N|max",
            help="Replay N times faster than recorded; max: as fast as the clients read.",
        ),
    ] = 1.0,
    loop: Annotated[
        bool, typer.Option("--loop", help="Start the replay again after its last update.")
    ] = False,
    start: Annotated[
        str | None,
        typer.Option(
            "--from",
            parser=window_bound,
            metavar="TIME|OFFSET",
            help="Replay from this UTC time (2025-10-10T14:30:00Z) or this far into the "
            "file (10m).",
        ),
    ] = None,
    stop: Annotated[
        str | None,
        typer.Option(
            "--to",
            parser=window_bound,
            metavar="TIME|OFFSET",
            help="Replay up to (not including) this time or offset.",
        ),
    ] = None,
    keep_timestamps: Annotated[
        bool,
        typer.Option(
            "--keep-timestamps", help="Send the recorded timestamps instead of rebasing to now."
        ),
    ] = False,
    skip_bad_lines: Annotated[
        bool,
        typer.Option(
            "--skip-bad-lines", help="Skip malformed lines of the file (and log how many)."
        ),
    ] = False,
    fault: Annotated[
        str | None,
        typer.Option(
            parser=fault_spec,
            metavar="SPEC",
            help="Inject faults for client testing, e.g. drop=1%,delay=50ms..200ms; "
            "every kind is in docs/serving.md.",
        ),
    ] = None,
    keys: Annotated[
        Path | None, typer.Option(help="API keys file (TOML, [[key]] tables).", metavar="FILE")
    ] = None,
    max_connections: Annotated[
        int,
        typer.Option(
            min=1,
            metavar="N",
            help="Open WebSocket connections, all keys together; past it HTTP 503.",
        ),
    ] = 50_000,
    ip_connect_rate: Annotated[
        int | None,
        typer.Option(
            min=1,
            metavar="N",
            help="Connection attempts per minute per client address; past it HTTP 429.",
        ),
    ] = None,
    handshake_timeout: Annotated[
        float,
        duration_option(
            description="Drop a TCP connection that has not completed its upgrade by then.",
            positive=True,
        ),
    ] = 10.0,
    close_timeout: Annotated[
        float,
        duration_option(
            description="Drop a peer that has not completed the closing handshake by then (also "
            "bounds shutdown).",
            positive=True,
        ),
    ] = 10.0,
    certfile: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE",
            help="Serve wss:// and https:// with this PEM certificate chain (it may hold the "
            "key too).",
        ),
    ] = None,
    keyfile: Annotated[
        Path | None,
        typer.Option(metavar="FILE", help="The private key (PEM) of --certfile."),
    ] = None,
    log_format: Annotated[
        str,
        typer.Option(
            parser=log_format_choice,
            metavar="text|json",
            help="Log lines for people, or one JSON object per line (API keys redacted in both).",
        ),
    ] = "text",
    verbose: Annotated[
        int,
        typer.Option(
            "--verbose",
            "-v",
            count=True,
            help="Log every connection; -vv also the websockets library's debug lines.",
        ),
    ] = 0,
) -> None:
    """Serve ws://HOST:PORT/stream until Ctrl-C or SIGTERM: synthetic prices, or --replay FILE."""
    import asyncio
    import secrets

    from chrono_cli.commands.serve.running import run_server
    from chrono_sim.errors import ConfigError
    from chrono_sim.faults import parse_faults
    from chrono_sim.protocol.catalog import DEFAULT_CATALOG
    from chrono_sim.protocol.clock import SystemClock
    from chrono_sim.protocol.keys import KeyStore
    from chrono_sim.protocol.limits import ProtocolLimits
    from chrono_sim.server.config import ServerConfig
    from chrono_sim.server.logs import LogFormat
    from chrono_sim.server.logs import configure as configure_logging
    from chrono_sim.settings.keys_file import load_keys

    check_interval(interval)
    # ServerConfig refuses this too (a ConfigError, for library callers, who would
    # otherwise serve plaintext); on the command line it is a usage error, like the
    # other options that need one another.
    if keyfile is not None and certfile is None:
        fail("serve", ExitCode.USAGE, "--keyfile needs --certfile")
    if replay is None:
        refuse_given(ctx, REPLAY_ONLY, "applies only with --replay FILE")
    else:
        # --seed seeds --fault too, which works with a replay as well.
        synthetic_only = {k: v for k, v in SYNTHETIC_ONLY.items() if k != "seed" or not fault}
        refuse_given(ctx, synthetic_only, "applies to the synthetic market, not to --replay")
    configure_logging(LogFormat(log_format), verbosity=verbose)
    clock = SystemClock()
    source: ReplaySource | None = None
    announcements: list[Announcement] = []
    try:
        if replay is not None:
            from chrono_cli.commands.serve.replay import replay_source

            source, announcements = replay_source(
                replay,
                clock,
                speed=speed,
                loop=loop,
                window=(start, stop),
                keep_timestamps=keep_timestamps,
                skip_bad_lines=skip_bad_lines,
            )
        seed = seed if seed is not None else secrets.randbelow(2**31)
        catalog = DEFAULT_CATALOG
        if source is not None:
            catalog = source.catalog
        elif universe:
            from chrono_sim.market.universe import with_universe

            catalog = with_universe(DEFAULT_CATALOG, universe, seed=seed)
        config = ServerConfig(
            host=host,
            port=port,
            interval=interval,
            seed=seed,
            catalog=catalog,
            keys=load_keys(keys) if keys else KeyStore.development(),
            limits=ProtocolLimits(heartbeat_interval=heartbeat_interval, idle_timeout=idle_timeout),
            max_connections=max_connections,
            ip_connect_rate=ip_connect_rate,
            faults=parse_faults(fault) if fault else None,
            handshake_timeout=handshake_timeout,
            close_timeout=close_timeout,
            certfile=certfile,
            keyfile=keyfile,
        )
        if config.faults is not None:
            announcements.append(
                (logging.WARNING, f"injecting faults (seed {seed}): {config.faults.describe()}")
            )
    except ConfigError as exc:
        fail("serve", ExitCode.CONFIG, str(exc))
    try:
        asyncio.run(run_server(config, clock, source, replay, announcements))
    except ConfigError as exc:  # unusable --certfile/--keyfile, found as the server is built
        fail("serve", ExitCode.CONFIG, str(exc))
    except OSError as exc:
        from chrono_sim.failures import cannot_listen, describe_os_error

        fail("serve", ExitCode.UNAVAILABLE, cannot_listen(f"{host}:{port}", describe_os_error(exc)))
