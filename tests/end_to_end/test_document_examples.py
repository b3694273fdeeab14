"""The protocol document's client examples, run unchanged against a real `chrono serve`.

`examples/javascript_client.js` ("Complete Example / JavaScript Client") and
`examples/python_client.py.txt` ("Python Client") are byte-for-byte copies of the code
blocks in websocket-protocol.md, including their URL `ws://localhost:3000/stream`. To
refresh them, paste the document's blocks over them again. The Python copy has no `.py`
suffix so that ruff, mypy and pytest leave the document's code style alone.

The only change is made at run time. Each test writes a copy of an example into
`tmp_path`, with the document's URL (which must occur exactly once) replaced by one with
the port of a server started on `--port 0`. We chose this over editing the examples to
read the port from an environment variable, because then the checked-in files would no
longer be the code a reader copies from the document. The host stays `localhost`, so
Node resolving it to `::1` first is covered too.

The server is `python -m chrono_cli serve` in a subprocess. Its port is parsed from the
"listening on ws://localhost:PORT/stream" line it logs on stderr. Each test reads the
example's output with a deadline until the lines it needs have arrived, then stops the
example with SIGINT, as a user would with Ctrl-C. There are no fixed sleeps.

The JavaScript example needs Node.js, which a Python-only machine lacks, so it carries
the `interop` marker: the default `pytest` run leaves it out, and `.ci/run` runs it with
`pytest -m interop` after this setup (Node.js >= 18 on PATH):

    npm ci --prefix tests/end_to_end/examples

The copy runs from `tmp_path`, so `require("ws")` finds that `node_modules` through
NODE_PATH. If node or ws is missing, the test fails and gives this command.

The Python example calls `websockets.connect(uri, extra_headers=...)`. That is the API of
websockets < 14. Since 14, `websockets.connect` is the new asyncio client, which does not
accept `extra_headers` and raises TypeError; `test_python_example_needs_legacy_client`
records this. The old implementation still ships as `websockets.legacy.client.connect`
(deprecated, and a DeprecationWarning is emitted when it is imported). So the example runs
unchanged under a three-line shim that binds `websockets.connect` to it. That is exactly
the client the document was written against.
"""

from __future__ import annotations

import contextlib
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from importlib.metadata import version
from pathlib import Path
from typing import IO

import pytest

EXAMPLES = Path(__file__).parent / "examples"
NODE_MODULES = EXAMPLES / "node_modules"
SETUP_COMMAND = "npm ci --prefix tests/end_to_end/examples"
DOCUMENT_URL = "ws://localhost:3000/stream"

# Short intervals so that every kind of line shows up within about a second.
SERVER_ARGS = ("--interval", "0.2", "--heartbeat-interval", "1", "--seed", "20251010")
LISTENING = re.compile(r"listening on ws://localhost:(\d+)/stream")
STARTUP_TIMEOUT = 10.0
OUTPUT_TIMEOUT = 6.0
EXIT_TIMEOUT = 5.0

# Run the example as __main__ with `websockets.connect` being the pre-14 client.
LEGACY_SHIM = """\
import runpy, sys, websockets, websockets.legacy.client
websockets.connect = websockets.legacy.client.connect
runpy.run_path(sys.argv[1], run_name="__main__")
"""


class Running:
    """A subprocess whose stdout and stderr lines are collected by reader threads."""

    def __init__(self, args: list[str], *, env: dict[str, str] | None = None) -> None:
        self.args = args
        self.proc = subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            text=True,
            encoding="utf-8",
            errors="replace",
        )
        self.stdout: list[str] = []
        self.stderr: list[str] = []
        self._events: queue.Queue[None] = queue.Queue()
        assert self.proc.stdout is not None
        assert self.proc.stderr is not None
        self._readers = [
            threading.Thread(target=self._read, args=(self.proc.stdout, self.stdout), daemon=True),
            threading.Thread(target=self._read, args=(self.proc.stderr, self.stderr), daemon=True),
        ]
        for reader in self._readers:
            reader.start()

    def _read(self, stream: IO[str], lines: list[str]) -> None:
        for line in stream:
            lines.append(line.rstrip("\n"))
            self._events.put(None)
        self._events.put(None)

    def wait_for(self, condition: Callable[[], bool], timeout: float) -> bool:
        """Wait until `condition()` holds, the process exits, or `timeout` passes."""
        deadline = time.monotonic() + timeout
        while not condition():
            remaining = deadline - time.monotonic()
            if remaining <= 0 or (self.proc.poll() is not None and self._drained()):
                return condition()
            with contextlib.suppress(queue.Empty):
                self._events.get(timeout=min(remaining, 0.1))
        return True

    def _drained(self) -> bool:
        return not any(reader.is_alive() for reader in self._readers)

    def stop(self, sig: signal.Signals = signal.SIGINT) -> int:
        """Send `sig` if still running; wait for the exit (killing after a timeout)."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout=EXIT_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for reader in self._readers:
            reader.join(timeout=EXIT_TIMEOUT)
        return self.proc.returncode

    def transcript(self) -> str:
        return (
            f"$ {' '.join(self.args)}\n--- stdout ---\n"
            + "\n".join(self.stdout)
            + "\n--- stderr ---\n"
            + "\n".join(self.stderr)
        )


def count(lines: list[str], prefix: str) -> int:
    return sum(line.startswith(prefix) for line in lines)


def with_port(example: str, port: int, tmp_path: Path, name: str) -> Path:
    """Copy an example into `tmp_path`, with the document's URL pointing at `port`."""
    source = (EXAMPLES / example).read_text(encoding="utf-8")
    assert source.count(DOCUMENT_URL) == 1, (
        f"{example} should contain {DOCUMENT_URL!r} exactly once (the only edit we make)"
    )
    target = tmp_path / name
    target.write_text(
        source.replace(DOCUMENT_URL, f"ws://localhost:{port}/stream"), encoding="utf-8"
    )
    return target


def python_env() -> dict[str, str]:
    # Piped stdout is block-buffered; unbuffered output lets us read lines as printed.
    return {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONIOENCODING": "utf-8"}


@pytest.fixture(scope="module")
def server_port() -> Iterator[int]:
    server = Running(
        [sys.executable, "-m", "chrono_cli", "serve", "--port", "0", *SERVER_ARGS],
        env=python_env(),
    )
    try:
        started = server.wait_for(
            lambda: any(LISTENING.search(line) for line in server.stderr), STARTUP_TIMEOUT
        )
        if not started:
            pytest.fail(f"chrono serve did not start listening\n{server.transcript()}")
        match = next(m for line in server.stderr if (m := LISTENING.search(line)))
        yield int(match.group(1))
    finally:
        server.stop()


@pytest.mark.interop
def test_javascript_client_example(server_port: int, tmp_path: Path) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.fail(f"`node` is not on PATH: install Node.js >= 18, then run `{SETUP_COMMAND}`")
    if not (NODE_MODULES / "ws" / "package.json").is_file():
        pytest.fail(f"the `ws` package is not installed in {NODE_MODULES}: run `{SETUP_COMMAND}`")
    script = with_port("javascript_client.js", server_port, tmp_path, "client.js")
    client = Running([node, str(script)], env={**os.environ, "NODE_PATH": str(NODE_MODULES)})
    try:
        client.wait_for(
            lambda: count(client.stdout, "💰 ") >= 3 and count(client.stdout, "💓 Heartbeat") >= 1,
            OUTPUT_TIMEOUT,
        )
        assert client.proc.poll() is None, f"the client exited early\n{client.transcript()}"
    finally:
        returncode = client.stop()  # SIGINT: the example unsubscribes and closes

    out, transcript = client.stdout, client.transcript()
    assert out[0] == "✅ Connected to Project Chrono WebSocket", transcript
    assert "📡 Subscribed to: BTC/USD, ETH/USD" in out, transcript
    prices = [line for line in out if line.startswith("💰 ")]
    assert len(prices) >= 3, transcript
    price = re.compile(r"💰 (BTC|ETH)/USD: \$\d+\.\d\d \(\w+\) at \d{4}-\d\d-\d\dT[\d:.]+Z")
    assert all(price.fullmatch(line) for line in prices), transcript
    assert "💓 Heartbeat received" in out, transcript
    assert not any(line.startswith("❌") for line in out + client.stderr), transcript
    # The example's SIGINT handler: unsubscribe from all, then close after 100 ms.
    assert "🛑 Closing connection..." in out, transcript
    assert any("type: 'unsubscribed'" in line for line in out), transcript
    assert out[-1] == "🔌 Disconnected from WebSocket", transcript
    assert returncode == 0, transcript


def test_python_client_example(server_port: int, tmp_path: Path) -> None:
    script = with_port("python_client.py.txt", server_port, tmp_path, "client.py")
    client = Running([sys.executable, "-c", LEGACY_SHIM, str(script)], env=python_env())
    try:
        client.wait_for(
            lambda: count(client.stdout, "💰 ") >= 3 and "💓 Heartbeat" in client.stdout,
            OUTPUT_TIMEOUT,
        )
        assert client.proc.poll() is None, f"the client exited early\n{client.transcript()}"
    finally:
        # The example has no SIGINT handler: it ends with KeyboardInterrupt, like Ctrl-C.
        client.stop()

    out, transcript = client.stdout, client.transcript()
    assert out[0] == "✅ Connected to Project Chrono", transcript
    assert out[1] == "📡 Subscribed to: BTC/USD, ETH/USD", transcript
    prices = [line for line in out if line.startswith("💰 ")]
    assert len(prices) >= 3, transcript
    price = re.compile(r"💰 (BTC|ETH)/USD: \$\d+\.\d\d from \w+")
    assert all(price.fullmatch(line) for line in prices), transcript
    assert "💓 Heartbeat" in out, transcript
    assert not any(line.startswith("❌") for line in out), transcript


def test_python_example_needs_legacy_client(server_port: int, tmp_path: Path) -> None:
    """Record why the shim exists: unchanged, the example fails on websockets >= 14.

    If this fails because the example ran, the document has moved to the new API
    (`additional_headers=`); remove `LEGACY_SHIM` and this test.
    """
    assert int(version("websockets").split(".")[0]) >= 14
    script = with_port("python_client.py.txt", server_port, tmp_path, "client.py")
    client = Running([sys.executable, str(script)], env=python_env())
    client.wait_for(lambda: client.proc.poll() is not None, OUTPUT_TIMEOUT)
    returncode = client.stop()  # a no-op unless it is still (unexpectedly) running
    transcript = client.transcript()
    assert returncode == 1, transcript
    assert client.stdout == [], transcript
    assert client.stderr, transcript
    error = re.compile(r"TypeError: .*got an unexpected keyword argument 'extra_headers'")
    assert error.fullmatch(client.stderr[-1]), transcript
