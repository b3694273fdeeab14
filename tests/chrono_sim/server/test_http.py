"""The HTTP side of the handshake table: 400, 404, /healthz, /docs."""

from __future__ import annotations

import json

from chrono_sim.server import ChronoServer
from tests.support.sockets import http_get, raw_http


async def test_plain_http_on_stream_is_400_with_one_line(server: ChronoServer) -> None:
    status, headers, body = await http_get(server, "/stream?api_key=x")
    assert status == 400
    assert headers["content-type"].startswith("text/plain")
    assert body.count(b"\n") == 1


async def test_another_method_on_stream_is_400_too(server: ChronoServer) -> None:
    request = b"POST /stream HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"
    assert (await raw_http(server, request)).split()[1] == b"400"


async def test_repeated_headers_do_not_break_the_server(server: ChronoServer) -> None:
    request = b"GET /docs HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"
    assert (await raw_http(server, request)).split()[1] == b"200"


async def test_any_other_path_is_404(server: ChronoServer) -> None:
    for path in ("/", "/stream/", "/streams", "/api/stream"):
        assert (await http_get(server, path))[0] == 404


async def test_healthz_reports_ok_as_json(server: ChronoServer) -> None:
    status, headers, body = await http_get(server, "/healthz")
    assert status == 200
    assert headers["content-type"] == "application/json"
    health = json.loads(body)
    assert health["status"] == "ok"
    assert health["symbols"] >= 12


async def test_docs_is_an_html_page_documenting_the_protocol(server: ChronoServer) -> None:
    status, headers, body = await http_get(server, "/docs")
    assert status == 200
    assert headers["content-type"].startswith("text/html")
    page = body.decode()
    for fact in ("4401", "4408", "4429", "1009", "RATE_LIMITED", "CONNECTION_LIMIT", "BTC/USD"):
        assert fact in page
    assert "{{" not in page
