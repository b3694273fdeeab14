"""Certificates made on the fly with `trustme`: a private CA and a server certificate it signed."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import trustme

# Names the server certificate is valid for: what the tests connect to.
SERVER_NAMES = ("localhost", "127.0.0.1", "::1")


@dataclass(frozen=True)
class Pki:
    """PEM files in one directory: `ca` trusts `cert`; `combined` holds key and chain."""

    ca: Path
    cert: Path
    key: Path
    combined: Path
    other_key: Path  # the key of another certificate: matches nothing here


def make_pki(directory: Path) -> Pki:
    """Write a fresh CA, a server certificate for `SERVER_NAMES` and its key into `directory`."""
    ca = trustme.CA()
    server = ca.issue_cert(*SERVER_NAMES)
    pki = Pki(
        ca=directory / "ca.pem",
        cert=directory / "cert.pem",
        key=directory / "key.pem",
        combined=directory / "combined.pem",
        other_key=directory / "other-key.pem",
    )
    ca.cert_pem.write_to_path(str(pki.ca))
    server.cert_chain_pems[0].write_to_path(str(pki.cert))
    for extra in server.cert_chain_pems[1:]:
        extra.write_to_path(str(pki.cert), append=True)
    server.private_key_pem.write_to_path(str(pki.key))
    server.private_key_and_cert_chain_pem.write_to_path(str(pki.combined))
    ca.issue_cert("elsewhere.example").private_key_pem.write_to_path(str(pki.other_key))
    return pki
