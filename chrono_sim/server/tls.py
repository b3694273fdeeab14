"""The server's TLS context, built from the certificate and key files of its config."""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import NoReturn

from chrono_sim.errors import ConfigError
from chrono_sim.server.config import ServerConfig
from chrono_sim.settings.pem import CERTIFICATE, PRIVATE_KEY, has_block, read_pem


def server_tls_context(config: ServerConfig) -> ssl.SSLContext | None:
    """A TLS 1.2+ server context for `config`'s files; None when it serves plain ws://.

    Raises `ConfigError` with one line naming the file at fault: missing,
    unreadable, not PEM, an encrypted key, or a key that is not the certificate's.
    """
    if config.certfile is None:
        return None
    certfile, keyfile = config.certfile, config.keyfile
    chain = read_pem(certfile, "--certfile")
    if not has_block(chain, CERTIFICATE):
        raise ConfigError(f"--certfile {certfile}: no PEM certificate in it")
    if keyfile is None:
        if not has_block(chain, PRIVATE_KEY):
            raise ConfigError(f"--certfile {certfile}: no private key in it (give --keyfile)")
    elif not has_block(read_pem(keyfile, "--keyfile"), PRIVATE_KEY):
        raise ConfigError(f"--keyfile {keyfile}: no PEM private key in it")
    key_option = f"--keyfile {keyfile}" if keyfile else f"--certfile {certfile}"

    def refuse_password() -> NoReturn:
        # OpenSSL would otherwise ask for the passphrase on the terminal and wait.
        raise ConfigError(f"{key_option}: the private key is encrypted; give an unencrypted one")

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        context.load_cert_chain(certfile, keyfile, password=refuse_password)
    except ssl.SSLError as exc:
        raise ConfigError(_describe(exc, certfile, keyfile)) from None
    return context


def _describe(exc: ssl.SSLError, certfile: Path, keyfile: Path | None) -> str:
    if exc.reason == "KEY_VALUES_MISMATCH":
        where = f"{certfile} and {keyfile}" if keyfile else str(certfile)
        return f"certificate and key do not match ({where})"
    files = f"--certfile {certfile}" + (f" --keyfile {keyfile}" if keyfile else "")
    return f"{files}: unusable certificate or key ({exc.reason or exc})"
