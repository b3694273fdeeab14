"""`chrono tail` without Typer: `parse_plain` agrees with the Typer command, or defers to it.

Both are derived from one table, `chrono_cli.commands.tail.arguments.PARAMS`; the
command lines below are written out by hand, independently of it.
"""

from __future__ import annotations

import dataclasses
import io
import os
import subprocess
import sys
from collections.abc import Sequence
from functools import cache
from typing import Any, get_args
from unittest import mock

import pytest
import typer
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from typer.main import get_command

from chrono_cli import options, params
from chrono_cli.app import app
from chrono_cli.commands.tail.arguments import MAX_SYMBOLS, PARAMS, TailArgs, parse_plain
from chrono_cli.commands.tail.live import TableSink
from chrono_cli.commands.tail.state import TailState
from chrono_cli.params import API_KEY_ENV, DEFAULT_URL, DEV_KEY
from chrono_sim.client import Connected, Subscribed
from chrono_sim.protocol import keys as protocol_keys
from tests.support.feed_events import symbol_price

URL = "ws://127.0.0.1:3000/stream"


@cache
def typer_tail() -> Any:
    group: Any = get_command(app)
    return group.get_command(None, "tail")


def typer_parse(args: Sequence[str], env: dict[str, str]) -> TailArgs | None:
    """What the Typer command would run `tail` with, or None if it would not run it."""
    with mock.patch.dict(os.environ, env):
        if env.get(API_KEY_ENV) is None:
            os.environ.pop(API_KEY_ENV, None)
        try:
            params = typer_tail().make_context("tail", list(args)).params
        except (typer.TyperException, typer.Exit):  # a usage error, or --help
            return None
    if len(params["symbols"]) > MAX_SYMBOLS:  # refused by the command itself
        return None
    return TailArgs(symbols=tuple(params.pop("symbols")), **params)


def agrees(args: Sequence[str], env: dict[str, str] | None = None) -> TailArgs | None:
    """`parse_plain`'s answer, after checking Typer parses anything it accepts alike."""
    env = env or {}
    plain = parse_plain(args, env)
    if plain is not None:
        assert plain == typer_parse(args, env), args
    return plain


@pytest.mark.parametrize(
    "args",
    [
        ["BTC/USD"],
        ["BTC/USD", "ETH/USD", "--json"],
        ["BTC/USD", "--snapshot", "--count", "1", "--json", "--url", URL],
        ["--url=" + URL, "btc/usd", "--duration", "10m", "--api-key", "k", "--no-snapshot"],
        ["--count=20", "SOL/USD", "--duration=1.5", "--api-key=", "ETH/USD"],
        ["BTC/USD", "--url", "wss://host/stream", "--cafile", "ca.pem"],
        ["--cafile=ca.pem", "BTC/USD"],
        ["BTC/USD", "--late-after", "250ms", "--stall-after=2s"],
        ["--stall-after", "0.5", "BTC/USD", "--late-after=1"],
        [f"S{i}" for i in range(MAX_SYMBOLS)],
    ],
)
def test_plain_command_lines_run_without_typer_as_typer_would(args: list[str]) -> None:
    assert agrees(args) is not None


def test_defaults_and_the_api_key_from_the_environment_are_typers() -> None:
    assert agrees(["BTC/USD"]) == TailArgs(("BTC/USD",), url=DEFAULT_URL, api_key=DEV_KEY)
    assert agrees(["BTC/USD"], {API_KEY_ENV: "from-env"}) == TailArgs(
        ("BTC/USD",), api_key="from-env"
    )
    assert agrees(["BTC/USD"], {API_KEY_ENV: ""}) == TailArgs(("BTC/USD",), api_key=DEV_KEY)
    given_key = agrees(["BTC/USD", "--api-key", "given"], {API_KEY_ENV: "from-env"})
    assert given_key == TailArgs(("BTC/USD",), api_key="given")


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["--help"],
        ["BTC/USD", "--help"],
        [f"S{i}" for i in range(MAX_SYMBOLS + 1)],
        ["BTC/USD", "--count", "0"],
        ["BTC/USD", "--count", "01"],
        ["BTC/USD", "--count", "+1"],
        ["BTC/USD", "--count", "x"],
        ["BTC/USD", "--duration", "soon"],
        ["BTC/USD", "--bogus"],
        ["--", "BTC/USD"],
        ["-", "BTC/USD"],
        ["BTC/USD", "--url"],
        ["BTC/USD", "--url", "-x"],
        ["BTC/USD", "--json", "--json"],
        ["BTC/USD", "--snapshot", "--no-snapshot"],
        ["BTC/USD", "--count", "1", "--count", "2"],
        ["BTC/USD", "--cafile"],
        ["BTC/USD", "--cafile", "a.pem", "--cafile", "b.pem"],
        ["BTC/USD", "--late-after", "0"],
        ["BTC/USD", "--stall-after", "0ms"],
        ["BTC/USD", "--late-after", "soon"],
        ["BTC/USD", "--snapshot=true"],
        ["BTC/USD", "-h"],
    ],
)
def test_anything_else_is_left_to_typer(args: list[str]) -> None:
    assert agrees(args) is None


TOKENS = st.sampled_from(
    [
        *("BTC/USD", "eth/usd", "", "X", "-", "--", "--help", "--bogus", "--json", "--json=1"),
        *("--snapshot", "--no-snapshot", "--url", "--api-key", "--count", "--duration"),
        *("--cafile", "--cafile=ca.pem"),
        *("--late-after", "--stall-after", "--late-after=0", "--stall-after=1.5s"),
        *("1", "0", "01", "12", "+1", " 2", "1_0", "1.0", "10m", "250ms", "1.5", ".5", "xx"),
        *("-1", "--count=3", "--count=", "--duration=90", f"--url={URL}", "--api-key=", URL, "k"),
    ]
)
VALUES = st.sampled_from(
    [
        *("1", "0", "01", "12", "+1", " 2", "1_0", "1.0", "\uff11", "10m", "250ms", "1.5"),
        *(".5", "2 h", "xx", "", "-1", URL, "k"),
    ]
)
FLAGS = ("--json", "--snapshot", "--no-snapshot")


@st.composite
def command_lines(draw: st.DrawFn) -> list[str]:
    """Symbols and tail's options, in any order, with values good and bad."""
    symbols = st.sampled_from(["BTC/USD", "eth/usd", "X", ""])
    parts = [[symbol] for symbol in draw(st.lists(symbols, max_size=MAX_SYMBOLS + 1))]
    with_value = ("--url", "--api-key", "--count", "--duration", "--cafile")
    names = st.sampled_from([*FLAGS, *with_value, "--late-after", "--stall-after"])
    for name in draw(st.lists(names, unique=True)):
        if name in FLAGS:
            parts.append([name])
        elif draw(st.booleans()):
            parts.append([f"{name}={draw(VALUES)}"])
        else:
            parts.append([name, draw(VALUES)])
    return [token for part in draw(st.permutations(parts)) for token in part]


KEYS = st.sampled_from([None, "", "from-env"])


@settings(max_examples=300, deadline=None)
@given(args=st.lists(TOKENS, max_size=12), key=KEYS)
def test_parse_plain_never_disagrees_with_typer(args: list[str], key: str | None) -> None:
    agrees(args, {} if key is None else {API_KEY_ENV: key})


@settings(max_examples=300, deadline=None)
@given(args=command_lines(), key=KEYS)
def test_well_formed_command_lines_parse_as_typer_parses_them(
    args: list[str], key: str | None
) -> None:
    agrees(args, {} if key is None else {API_KEY_ENV: key})


def test_a_first_price_is_drawn_at_once_not_at_the_next_redraw() -> None:
    class Clock:
        def time(self) -> float:
            return 0.0

        def monotonic(self) -> float:
            return 1.0

    console = Console(file=io.StringIO(), width=100, force_terminal=True, color_system=None)
    sink = TableSink(TailState(("BTC/USD",)), Clock(), title=URL, console=console)
    with sink:
        sink.handle(Connected(URL, 0))
        sink.handle(Subscribed(("BTC/USD",)))
        sink.handle(symbol_price("BTC/USD", 95_000.0))
        shown = console.file.getvalue()  # type: ignore[attr-defined]
    assert "95,000.00" in shown


def test_tail_args_are_the_typer_commands_parameters() -> None:
    command_params = {param.name for param in typer_tail().params}
    assert command_params == {field.name for field in dataclasses.fields(TailArgs)}


def test_tail_args_defaults_are_the_defaults_of_their_rows() -> None:
    defaults = {field.name: field.default for field in dataclasses.fields(TailArgs)}
    rows = {row.field: row.default for row in PARAMS if isinstance(row, params.Option)}
    assert {name: defaults[name] for name in rows} == rows


def test_the_fast_paths_development_key_is_the_servers() -> None:
    assert DEV_KEY == protocol_keys.DEV_KEY


def test_every_spelling_of_every_typer_option_runs_without_typer() -> None:
    """An option added to the table is read by both parsers, alike (a value of 1 suits all)."""
    for param in typer_tail().params:
        for name in (*param.opts, *param.secondary_opts):
            if not name.startswith("-"):
                continue  # the symbols
            args = ["BTC/USD", name] if param.is_flag else ["BTC/USD", name, "1"]
            assert agrees(args) is not None, name


def test_the_shared_typer_option_types_are_their_rows_of_the_table() -> None:
    shared = {
        options.Url: params.URL,
        options.ApiKey: params.API_KEY,
        options.StopAfterCount: params.COUNT,
        options.StopAfterDuration: params.DURATION,
        options.CaFile: params.CAFILE,
    }
    for annotated, row in shared.items():
        kind, info = get_args(annotated)
        assert kind == row.type
        assert (info.help, info.envvar, info.metavar) == (row.help, row.envvar, row.metavar)
    assert {params.URL, params.API_KEY, params.COUNT, params.DURATION, params.CAFILE} <= set(PARAMS)


def test_reading_a_plain_command_line_imports_neither_typer_nor_pydantic() -> None:
    code = (
        "import sys; from chrono_cli.commands.tail import arguments, run; "
        "assert arguments.parse_plain(['BTC/USD', '--count', '1'], {}) is not None; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('typer', 'click', 'pydantic')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_leaving_the_live_table_prints_a_summary_of_the_faults_on_stderr(
    capsys: pytest.CaptureFixture[str],
) -> None:
    class Clock:
        def time(self) -> float:
            return 0.0

        def monotonic(self) -> float:
            return 1.0

    console = Console(file=io.StringIO(), width=100, force_terminal=True, color_system=None)
    with TableSink(TailState(("BTC/USD",)), Clock(), title=URL, console=console) as sink:
        sink.handle(Connected(URL, 0))
        sink.handle(symbol_price("BTC/USD", 95_000.0))
    assert capsys.readouterr().err == (
        "chrono tail: summary: 1 update; missed 0, duplicates 0, out of order 0, late 0, "
        "stalls 0, disconnects 0\n"
    )
