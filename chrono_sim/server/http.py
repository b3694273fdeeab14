"""The plain-HTTP side of the server: `/healthz`, `/symbols`, `/docs`, `/metrics`, refusals."""

from __future__ import annotations

import http

from websockets.datastructures import Headers
from websockets.http11 import Response

from chrono_sim.server.metrics import CONTENT_TYPE

STREAM_PATH = "/stream"


def text_response(status: http.HTTPStatus, line: str) -> Response:
    """A one-line plain-text answer."""
    return _response(status, "text/plain; charset=utf-8", (line.rstrip("\n") + "\n").encode())


def json_response(body: bytes) -> Response:
    return _response(http.HTTPStatus.OK, "application/json", body)


def html_response(body: str) -> Response:
    return _response(http.HTTPStatus.OK, "text/html; charset=utf-8", body.encode())


def metrics_response(body: bytes) -> Response:
    """Prometheus' text exposition format."""
    return _response(http.HTTPStatus.OK, CONTENT_TYPE, body)


def not_found(path: str) -> Response:
    return text_response(
        http.HTTPStatus.NOT_FOUND,
        f"Not found: {path}. The WebSocket endpoint is {STREAM_PATH}; documentation is at /docs.",
    )


def not_an_upgrade() -> Response:
    return text_response(
        http.HTTPStatus.BAD_REQUEST,
        f"Bad request: {STREAM_PATH} accepts only WebSocket upgrade requests (see /docs).",
    )


def _response(status: http.HTTPStatus, content_type: str, body: bytes) -> Response:
    headers = Headers(
        [
            ("Content-Type", content_type),
            ("Content-Length", str(len(body))),
            ("Cache-Control", "no-store"),
            ("Connection", "close"),
        ]
    )
    return Response(status.value, status.phrase, headers, body)
