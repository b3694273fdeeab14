"""`chrono serve -vv`: every log line, the websockets library's too, shows API keys redacted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from websockets.asyncio.client import connect

from chrono_sim.protocol.keys import redact
from tests.support.processes import Cli, eventually, start_cli
from tests.support.sockets import closed_with, receive

QUERY_KEY = "query_secret_key_0123456789"
HEADER_KEY = "header_secret_key_9876543210"
UNKNOWN_KEY = "unknown_secret_key_5555555555"
SECRETS = (QUERY_KEY, HEADER_KEY, UNKNOWN_KEY)


@pytest.fixture
def keys_file(tmp_path: Path) -> Path:
    path = tmp_path / "keys.toml"
    path.write_text(
        f'[[key]]\nkey = "{QUERY_KEY}"\nname = "query"\n\n'
        f'[[key]]\nkey = "{HEADER_KEY}"\nname = "header"\n',
        encoding="utf-8",
    )
    return path


async def serve_and_connect(processes: list[Cli], keys_file: Path, *options: str) -> Cli:
    """A server logging everything; one connection per way of presenting a key, then stopped."""
    server = await start_cli("serve", "--port", "0", "--keys", str(keys_file), "-vv", *options)
    processes.append(server)
    base = f"ws://127.0.0.1:{await server.port()}/stream"
    async with connect(f"{base}?api_key={QUERY_KEY}") as ws:
        await ws.send('{"type":"ping"}')
        await receive(ws)
    async with connect(base, additional_headers={"Authorization": f"Bearer {HEADER_KEY}"}) as ws:
        await ws.send('{"type":"ping"}')
        await receive(ws)
    async with connect(f"{base}?api_key={UNKNOWN_KEY}") as ws:
        assert (await closed_with(ws))[0] == 4401
    async with connect(base, additional_headers={"Authorization": f"Bearer {UNKNOWN_KEY}"}) as ws:
        assert (await closed_with(ws))[0] == 4401
    await eventually(lambda: sum("refused" in line for line in server.stderr) >= 2)
    await server.stop()
    return server


async def test_no_key_shows_in_full_in_any_line(processes: list[Cli], keys_file: Path) -> None:
    log = "\n".join((await serve_and_connect(processes, keys_file)).stderr)

    assert [secret for secret in SECRETS if secret in log] == []
    assert f"< GET /stream?api_key={redact(QUERY_KEY)}" in log  # the library's own line
    assert f"< Authorization: Bearer {redact(HEADER_KEY)}" in log
    assert f"key={redact(HEADER_KEY)}" in log  # the server's "open" line
    assert f"({redact(UNKNOWN_KEY)}): UNAUTHORIZED" in log  # and its "refused" line


async def test_json_lines_carry_events_and_no_key_in_full(
    processes: list[Cli], keys_file: Path
) -> None:
    lines = (await serve_and_connect(processes, keys_file, "--log-format", "json")).stderr
    entries = [json.loads(line) for line in lines]

    assert [secret for secret in SECRETS if any(secret in line for line in lines)] == []
    opened = [entry for entry in entries if entry.get("event") == "connection.open"]
    assert {(entry["key_name"], entry["key"]) for entry in opened} == {
        ("query", redact(QUERY_KEY)),
        ("header", redact(HEADER_KEY)),
    }
    refused = [entry for entry in entries if entry.get("event") == "connection.refused"]
    assert [(entry["code"], entry["key"]) for entry in refused] == [
        ("UNAUTHORIZED", redact(UNKNOWN_KEY))
    ] * 2
    assert all(entry["peer"].startswith("127.0.0.1:") for entry in opened + refused)
    assert {entry["logger"] for entry in entries} >= {"chrono_sim.server", "websockets.server"}
