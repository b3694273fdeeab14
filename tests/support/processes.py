"""`chrono` commands run as a user runs them: real processes, output collected as it comes."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
import time
from collections.abc import Callable

LISTENING = re.compile(r"listening on wss?://(\S+):(\d+)/stream")


class Cli:
    """A running `chrono` process; its stdout and stderr lines are collected as they arrive."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.stdout: list[str] = []
        self.stderr: list[str] = []
        self._readers = [
            asyncio.create_task(self._collect(process.stdout, self.stdout)),
            asyncio.create_task(self._collect(process.stderr, self.stderr)),
        ]

    @staticmethod
    async def _collect(stream: asyncio.StreamReader | None, lines: list[str]) -> None:
        assert stream is not None
        async for line in stream:
            lines.append(line.decode().rstrip("\n"))

    async def finish(self, within: float = 15.0) -> int:
        code = await asyncio.wait_for(self.process.wait(), timeout=within)
        await asyncio.gather(*self._readers)
        return code

    async def stop(self) -> None:
        if self.process.returncode is None:
            self.process.kill()
        await self.finish()

    async def port(self, within: float = 15.0) -> int:
        """The port a `chrono serve` process announced in its "listening on" line."""
        await eventually(lambda: any(LISTENING.search(line) for line in self.stderr), within)
        match = next(filter(None, map(LISTENING.search, self.stderr)))
        return int(match.group(2))


async def start_cli(*args: str) -> Cli:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "chrono_cli", *args,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    return Cli(process)


def run_cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "chrono_cli", *args],
        capture_output=True, text=True, timeout=timeout, check=False,
    )  # fmt: skip


async def eventually(condition: Callable[[], bool], within: float = 10.0) -> None:
    deadline = time.monotonic() + within
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)
