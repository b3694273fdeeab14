"""`chrono check`: judge a `/stream` server against the protocol; a table or JSON, an exit code."""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING, Annotated

import typer

from chrono_cli.exit_codes import ExitCode, fail
from chrono_cli.options import DEFAULT_URL, DEV_KEY, ApiKey, CaFile, duration_option

if TYPE_CHECKING:
    from collections.abc import Sequence

    from rich.table import Table

    from chrono_sim.conformance import CheckResult, CheckSettings

EPILOG = (
    "Exit codes: 0 every rule passed (or was skipped); 2 bad command line; 3 unusable --cafile; "
    "4 server unreachable or handshake refused; 5 API key refused (4401); "
    "6 first connection refused for a limit; 7 at least one rule failed; "
    "130 interrupted (Ctrl-C), after printing the rows finished."
)
STYLES = {"pass": "green", "fail": "bold red", "skip": "yellow"}


def check(
    url: Annotated[
        str, typer.Argument(metavar="URL", help=f"Server WebSocket URL, e.g. {DEFAULT_URL}.")
    ],
    api_key: ApiKey = DEV_KEY,
    heartbeat_interval: Annotated[
        float,
        duration_option(
            description="Interval the server is expected to keep between heartbeats.",
            positive=True,
        ),
    ] = 30.0,
    idle_timeout: Annotated[
        float,
        duration_option(
            description="Idle timeout the server is expected to keep (checked with --slow).",
            positive=True,
        ),
    ] = 300.0,
    slow: Annotated[
        bool, typer.Option("--slow", help="Also run the slow checks (idle timeout).")
    ] = False,
    timeout: Annotated[
        float,
        duration_option(
            description="Longest wait for any one reply or price update.",
            positive=True,
        ),
    ] = 10.0,
    rate_limit_per_minute: Annotated[
        int, typer.Option(min=1, metavar="N", help="The key's request rate, to pace by.")
    ] = 120,
    max_connections: Annotated[
        int, typer.Option(min=1, metavar="N", help="Connections the key may hold at once.")
    ] = 10,
    cafile: CaFile = None,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print the results as a JSON list.")
    ] = False,
) -> None:
    """Check the server at URL against every rule of the protocol visible from outside.

    Stays within the key's request rate, except the rate checks that run last;
    use a key no other client is using meanwhile.
    """
    from chrono_sim.client.tls import client_tls_context
    from chrono_sim.conformance import ALL_CHECKS, CheckSettings
    from chrono_sim.errors import (
        AuthenticationError,
        ConfigError,
        InvalidUrlError,
        RequestRefusedError,
        ServerUnreachableError,
    )

    try:
        tls = client_tls_context(url, cafile)
    except InvalidUrlError as exc:
        fail("check", ExitCode.USAGE, str(exc))
    except ConfigError as exc:
        fail("check", ExitCode.CONFIG, str(exc))
    try:
        settings = CheckSettings(
            url=url,
            api_key=api_key,
            heartbeat_interval=heartbeat_interval,
            idle_timeout=idle_timeout,
            slow=slow,
            timeout=timeout,
            rate_limit_per_minute=rate_limit_per_minute,
            max_connections=max_connections,
            ssl=tls,
        )
    except (InvalidUrlError, ConfigError) as exc:
        fail("check", ExitCode.USAGE, str(exc))
    started = time.monotonic()
    progress = _Progress(enabled=not json_output and sys.stderr.isatty())
    try:
        with progress:
            results, interrupted = _run(settings, progress)
    except ServerUnreachableError as exc:
        fail("check", ExitCode.UNAVAILABLE, str(exc))
    except AuthenticationError as exc:
        fail("check", ExitCode.UNAUTHORIZED, str(exc))
    except RequestRefusedError as exc:
        fail("check", ExitCode.REFUSED, str(exc))
    if json_output:
        print(format_json(results))
    else:
        from rich.console import Console

        console = Console()
        if results or not interrupted:
            console.print(results_table(results, url))
        if not interrupted:
            console.print(format_summary(results, time.monotonic() - started), highlight=False)
    if interrupted:
        done, total = len(results), len(ALL_CHECKS)
        message = f"interrupted after {done} of {total} rules; the other {total - done} not checked"
        # The user's own stop, not an error: said as such, after the rows it finished.
        print(f"chrono check: {message}", file=sys.stderr, flush=True)
        raise typer.Exit(ExitCode.INTERRUPTED)
    failed = any(result.status == "fail" for result in results)
    raise typer.Exit(ExitCode.CHECK_FAILED if failed else ExitCode.OK)


def _run(settings: CheckSettings, progress: _Progress) -> tuple[list[CheckResult], bool]:
    """The results, and whether Ctrl-C cut the run short: then those finished, in rule order."""
    import asyncio

    from chrono_sim.conformance import ALL_CHECKS, run_checks

    finished: dict[str, CheckResult] = {}

    def on_result(result: CheckResult) -> None:
        finished[result.id] = result
        progress.advance(result)

    try:
        return asyncio.run(run_checks(settings, on_result=on_result)), False
    except KeyboardInterrupt:  # asyncio.run cancelled the run: each check closed what it opened
        return [finished[check.id] for check in ALL_CHECKS if check.id in finished], True


def format_json(results: Sequence[CheckResult]) -> str:
    """The results as one JSON list of {id, rule, status, detail, seconds}."""
    import json

    return json.dumps([result.to_json() for result in results], indent=2)


def results_table(results: Sequence[CheckResult], url: str) -> Table:
    """One row per rule: the rule, PASS/FAIL/SKIP in colour, what was seen."""
    from rich.table import Table
    from rich.text import Text

    table = Table("Rule", "Result", "Detail", title=f"chrono check {url}", title_justify="left")
    for result in results:
        status = Text(result.status.upper(), style=STYLES[result.status])
        table.add_row(result.rule, status, Text(result.detail))
    return table


def format_summary(results: Sequence[CheckResult], seconds: float) -> str:
    """`34 rules: 32 passed, 1 failed, 1 skipped in 2.6 s`."""
    counts = {status: sum(r.status == status for r in results) for status in STYLES}
    return (
        f"{len(results)} rules: {counts['pass']} passed, {counts['fail']} failed, "
        f"{counts['skip']} skipped in {seconds:.1f} s"
    )


class _Progress:
    """A spinner on stderr counting verdicts as they come, for people at a terminal."""

    def __init__(self, *, enabled: bool) -> None:
        self._done = 0
        self._status = None
        if enabled:
            from rich.console import Console

            self._status = Console(stderr=True).status("checking…")

    def __enter__(self) -> _Progress:
        if self._status is not None:
            self._status.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._status is not None:
            self._status.stop()

    def advance(self, result: CheckResult) -> None:
        self._done += 1
        if self._status is not None:
            self._status.update(f"checking… {self._done} done, last: {result.rule}")
