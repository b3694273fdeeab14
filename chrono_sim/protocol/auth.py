"""Where a client's API key comes from: the `Authorization` header or `?api_key=`."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit


def presented_key(authorization: str | None, path: str) -> str | None:
    """The key a handshake presents, or None when it presents none.

    `Authorization: Bearer <key>` (scheme case-insensitive) wins over the
    `api_key` query parameter. A header with another scheme presents no key,
    rather than silently falling back to the query string.
    """
    if authorization is not None:
        scheme, _, credentials = authorization.strip().partition(" ")
        if scheme.lower() != "bearer":
            return None
        return credentials.strip() or None
    values = parse_qs(urlsplit(path).query, keep_blank_values=True).get("api_key")
    return values[0] if values and values[0] else None
