"""What a server offers: `GET /symbols`, and suggestions for a mistyped symbol."""

from __future__ import annotations

import difflib
import http.client
import json
import ssl as ssl_module
import urllib.error
import urllib.request
from collections.abc import Iterable
from typing import Any

from chrono_sim.client.handshake import may_be_wrong_scheme, wrong_scheme
from chrono_sim.client.urls import sibling_url
from chrono_sim.errors import SymbolsUnavailableError
from chrono_sim.failures import cannot_connect, describe_connect_error


def fetch_symbols(
    ws_url: str, *, timeout: float = 5.0, ssl: ssl_module.SSLContext | None = None
) -> list[dict[str, Any]]:
    """The entries of the server's `/symbols` listing; raises `SymbolsUnavailableError`.

    `ssl` is the TLS context for a wss:// server (https://), e.g. one trusting its CA.
    Failures are worded as the feed words them, with the same hint when a ws:// URL
    reaches a TLS server or a wss:// one a plain server. Blocking.
    """
    url = sibling_url(ws_url, "symbols")
    try:
        with urllib.request.urlopen(url, timeout=timeout, context=ssl) as response:
            document = json.load(response)
    except urllib.error.HTTPError as exc:
        raise SymbolsUnavailableError(f"{url} answered HTTP {exc.code}") from None
    except (urllib.error.URLError, TimeoutError, OSError, http.client.HTTPException) as exc:
        # Worded as every command words it, naming the URL the user gave.
        cause = exc.reason if isinstance(exc, urllib.error.URLError) else exc
        reason = (
            wrong_scheme(ws_url)
            if isinstance(cause, BaseException) and may_be_wrong_scheme(ws_url, cause)
            else None
        ) or describe_connect_error(exc)
        raise SymbolsUnavailableError(cannot_connect(ws_url, reason)) from None
    except ValueError:
        raise SymbolsUnavailableError(f"{url} did not answer with JSON") from None
    entries = document.get("symbols") if isinstance(document, dict) else None
    if not isinstance(entries, list) or not all(
        isinstance(entry, dict) and isinstance(entry.get("symbol"), str) for entry in entries
    ):
        raise SymbolsUnavailableError(f"{url} did not answer with a symbol list")
    return entries


def suggest(name: str, offered: Iterable[str]) -> str | None:
    """The offered symbol closest to a mistyped `name`, if one is close enough."""
    by_folded = {symbol.casefold(): symbol for symbol in offered}
    matches = difflib.get_close_matches(name.casefold(), list(by_folded), n=1, cutoff=0.6)
    return by_folded[matches[0]] if matches else None
