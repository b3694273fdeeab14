"""A stream's URL: checked once for every client, and the HTTP endpoints beside it."""

from __future__ import annotations

from urllib.parse import SplitResult, urlsplit, urlunsplit

from chrono_sim.errors import InvalidUrlError


def parse_stream_url(url: str) -> SplitResult:
    """The parts of `url`; `InvalidUrlError` unless it is a ws:// or wss:// URL with a host."""
    parts = urlsplit(url)
    if parts.scheme not in ("ws", "wss") or not parts.hostname:
        raise InvalidUrlError(f"not a WebSocket URL: {url!r} (expected ws://HOST[:PORT]/stream)")
    return parts


def check_tls_url(url: str) -> None:
    """Raise `InvalidUrlError` unless `url` is wss://: a TLS context (`--cafile`) is for it only."""
    if urlsplit(url).scheme != "wss":
        raise InvalidUrlError(f"--cafile needs a wss:// URL, not {url!r}")


def sibling_url(stream_url: str, name: str) -> str:
    """The HTTP(S) endpoint `name` beside a stream: `wss://h:p/api/stream` -> `https://h:p/api/name`.

    The stream's path prefix stays: a server behind a reverse proxy at `/api/stream`
    serves `/api/symbols`. The query (an `api_key`, say) is dropped.
    """
    parts = urlsplit(stream_url)
    scheme = "https" if parts.scheme == "wss" else "http"
    base = parts.path.rsplit("/", 1)[0]
    return urlunsplit((scheme, parts.netloc, f"{base}/{name}", "", ""))
