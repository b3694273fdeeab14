"""TLS for clients of a wss:// server: trusting a private CA, and saying why a certificate failed.

Shared by `chrono tail`, `record`, `symbols` and `check`.
"""

from __future__ import annotations

import ssl
from pathlib import Path

from chrono_sim.client.urls import check_tls_url
from chrono_sim.errors import ConfigError
from chrono_sim.settings.pem import CERTIFICATE, has_block, read_pem

# OpenSSL's verify results that mean "signed by a CA you do not trust": --cafile fixes those.
_UNKNOWN_ISSUER = frozenset(
    {
        18,  # X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT
        19,  # X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN
        20,  # X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY
        21,  # X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE
    }
)


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


def describe_untrusted(exc: ssl.SSLCertVerificationError) -> str:
    """A refused server certificate as a phrase, with the way out when there is one."""
    why = exc.verify_message or exc.reason or "verification failed"
    hint = "; a private CA needs --cafile" if exc.verify_code in _UNKNOWN_ISSUER else ""
    return f"TLS certificate not trusted ({why}){hint}"
