"""Locust suite for a Chrono `/stream` server: feed users measure, probe users prove the limits.

    chrono serve --keys loadtests/keys.toml &
    locust -f loadtests/locustfile.py --headless -u 200 -r 50 -t 60s \\
        --host ws://127.0.0.1:3000/stream

`FeedUser`s connect, subscribe to 1-10 random symbols and read the feed until the
run ends, reporting connect time, subscribe acknowledgement, update latency and
missed updates. Four probe users (one each) run once all users are spawned and
report a PROBE entry that passes only if the limit held; a probe that fails, or
that was expected and never finished, makes locust exit 1. See README.md for the
entries and the options (--keys, --idle-timeout, --symbols).

Modules: `feed_user.py` (FeedUser), `probes.py` (the limit probes), `suite.py` (state
shared by the users), `replies.py` (request/reply helpers), `wsconn.py` (the
WebSocket client: websocket-client, why there), `chrono_load.py` (pure logic,
unit-tested without locust). This file wires them to locust's events.
"""

from __future__ import annotations

import argparse
import logging
import urllib.request
from pathlib import Path

from accounting import Account, ServerLedger, account
from chrono_load import Probe, ProbeBook, SuiteKeys, parse_symbol_list, stream_url
from feed_user import FeedUser
from locust import events
from locust.env import Environment
from locust.runners import STATE_STOPPED, LocalRunner
from locust_ui import TabRow, install_tab, tab_rows
from probes import (
    PROBE_USERS,
    ConnectionLimitProbe,
    IdleTimeoutProbe,
    RateLimitProbe,
    SymbolLimitProbe,
)
from replies import REPLY_TIMEOUT
from suite import DEFAULT_KEYS, Suite, install, suite

from chrono_sim.client.urls import sibling_url
from chrono_sim.durations import parse_duration
from chrono_sim.errors import ConfigError
from chrono_sim.settings.keys_file import load_keys

# The user classes locust runs: found by name in this module.
__all__ = [
    "ConnectionLimitProbe",
    "FeedUser",
    "IdleTimeoutProbe",
    "RateLimitProbe",
    "SymbolLimitProbe",
]

log = logging.getLogger("chrono.loadtests")


def _add_options(parser: argparse.ArgumentParser, **_: object) -> None:
    parser.add_argument(
        "--keys",
        default=str(DEFAULT_KEYS),
        metavar="FILE",
        help="Keys file (chrono serve's TOML format) naming the keys the server knows: "
        "load-* for feed users, probe-connections/-symbols/-rate/-idle for the probes.",
    )
    parser.add_argument(
        "--idle-timeout",
        default="",
        metavar="DURATION",
        help="The server's idle timeout (chrono serve --idle-timeout, e.g. 2 or 10s). "
        "Runs the idle probe; without it the probe is SKIPPED, not failed.",
    )
    parser.add_argument(
        "--symbols",
        default="",
        metavar="A,B,...",
        help="Symbols to subscribe from (default: GET /symbols on the --host's server).",
    )
    parser.add_argument(
        "--faults",
        action="store_true",
        default=False,
        help="The server injects faults (chrono serve --fault): its 1006 drops are not "
        "failures, and the run ends by accounting for every loss against GET /metrics "
        "(exit 1 if any is unexplained).",
    )


def _on_init(environment: Environment, **_: object) -> None:
    options = environment.parsed_options
    keys_file = Path(getattr(options, "keys", None) or DEFAULT_KEYS)
    try:
        keys = SuiteKeys.from_keys(load_keys(keys_file))
        idle_text = getattr(options, "idle_timeout", "") or ""
        idle_timeout = parse_duration(idle_text) if idle_text else None
        stream_url(environment.host)  # a bad --host fails here, not in every user
    except (ConfigError, ValueError) as exc:
        raise SystemExit(f"loadtests: {exc}") from None
    if idle_timeout is not None and idle_timeout <= 0:
        raise SystemExit("loadtests: --idle-timeout must be positive")
    symbols = parse_symbol_list(getattr(options, "symbols", "") or "")
    faults = bool(getattr(options, "faults", False))
    state = Suite(environment, keys, idle_timeout, symbols, faults=faults)
    install(state)
    if environment.web_ui is not None:  # the verdicts in a tab, not only in the log at exit
        install_tab(environment.web_ui, lambda: _verdicts(state))


def _verdicts(state: Suite) -> list[TabRow]:
    runner = state.environment.runner
    if not isinstance(runner, LocalRunner):
        return tab_rows(["verdicts are summed up only in a single-process run"], "", [])
    ended = runner.state == STATE_STOPPED
    accounting = state.accounting.lines if state.accounting else []
    return tab_rows(state.book.report(ended=ended), state.tally.summary(), accounting)


def _on_test_start(environment: Environment, **_: object) -> None:
    state = suite()
    state.book = ProbeBook()
    state.accounting = None
    state.spawned.clear()
    running = {user_class.__name__ for user_class in environment.user_classes}
    for probe_class in PROBE_USERS:
        if probe_class.__name__ not in running:
            continue
        if probe_class.probe is Probe.IDLE and state.idle_timeout is None:
            state.book.skip(
                Probe.IDLE,
                "no --idle-timeout given; pass the server's (e.g. chrono serve --idle-timeout "
                "10 and locust ... --idle-timeout 10) to run it",
            )
        else:
            state.book.expect(probe_class.probe)
    users = getattr(environment.parsed_options, "num_users", None) or 0
    if users > state.keys.feed_capacity + len(PROBE_USERS):
        log.warning(
            "%d users but the load-* keys of %s hold %d feed connections: the rest will fail "
            "to get a key (add load-* keys or raise their max_connections)",
            users,
            getattr(environment.parsed_options, "keys", DEFAULT_KEYS),
            state.keys.feed_capacity,
        )


def _on_spawned(**_: object) -> None:
    suite().spawned.set()


def _on_test_stop(environment: Environment, **_: object) -> None:
    state = suite()
    if state.faults and isinstance(environment.runner, LocalRunner):
        state.accounting = _account_for_losses(state)  # for the web UI's tab, and the exit


def _on_quitting(environment: Environment, **_: object) -> None:
    state = suite()
    if not isinstance(environment.runner, LocalRunner):
        log.info("limit probes: verdicts are summed up only in a single-process run")
        return
    lines = state.book.report()
    log.info("limit probes:" if lines else "limit probes: none in this run")
    for line in lines:
        (log.info if line.startswith(("PASS", "SKIPPED")) else log.error)("  %s", line)
    log.info("%s", state.tally.summary())
    if state.faults:
        result = state.accounting or _account_for_losses(state)
        log.info("loss accounting against %s:", _metrics_url(state))
        for line in result.lines:
            (log.error if line.startswith("UNACCOUNTED") else log.info)("  %s", line)
        if not result.ok:
            environment.process_exit_code = 1
    if not state.book.ok:
        # Set even when --exit-code-on-error would say 0: a limit that does not hold,
        # or a probe that did not run, always fails the run.
        environment.process_exit_code = 1


# --- feed users ------------------------------------------------------------------------


def _account_for_losses(state: Suite) -> Account:
    """Where every update went (see accounting.py), against the server's GET /metrics."""
    where = _metrics_url(state)
    try:
        with urllib.request.urlopen(where, timeout=REPLY_TIMEOUT) as response:
            ledger = ServerLedger.from_metrics(response.read().decode())
    except (OSError, ValueError) as exc:
        why = f"GET {where} failed ({exc}); losses cannot be accounted for"
        return Account([f"UNACCOUNTED losses: {why}"], ok=False)
    return account(state.tally, ledger)


def _metrics_url(state: Suite) -> str:
    return sibling_url(stream_url(state.environment.host), "metrics")


# Registered by call rather than as decorators: locust's `add_listener` is untyped.
events.init_command_line_parser.add_listener(_add_options)
events.init.add_listener(_on_init)
events.test_start.add_listener(_on_test_start)
events.spawning_complete.add_listener(_on_spawned)
events.test_stop.add_listener(_on_test_stop)
events.quitting.add_listener(_on_quitting)
