"""TLS for clients of a wss:// server: trusting a private CA (`--cafile`).

Why a certificate was not trusted is worded in `chrono_sim.failures`.

Shared by `chrono tail`, `record`, `symbols` and `check`.
"""

from __future__ import annotations

import ssl
from pathlib import Path

from chrono_sim.client.urls import check_tls_url
from chrono_sim.errors import ConfigError
from chrono_sim.settings.pem import CERTIFICATE, has_block, read_pem


def client_tls_context(url: str, cafile: Path | None) -> ssl.SSLContext | None:
    """A context trusting only the CA certificates in `cafile`, for `url`; None without one.

    Raises `InvalidUrlError` if `url` is not wss:// (checked before the file is
    read), and `ConfigError` if the file is missing, unreadable or holds no CA.
    """
    if cafile is None:
        return None
    check_tls_url(url)
    pem = read_pem(cafile, "--cafile")
    if not has_block(pem, CERTIFICATE):
        raise ConfigError(f"--cafile {cafile}: no PEM certificate in it")
    try:
        return ssl.create_default_context(cadata=pem)
    except ssl.SSLError as exc:
        raise ConfigError(
            f"--cafile {cafile}: not a usable CA file ({exc.reason or exc})"
        ) from None
