"""Reading the PEM files TLS is set up with, failing with one line that names the option."""

from __future__ import annotations

from pathlib import Path

from chrono_sim.errors import ConfigError

CERTIFICATE = "CERTIFICATE"
PRIVATE_KEY = "PRIVATE KEY"  # also matches "RSA PRIVATE KEY", "EC PRIVATE KEY", ...


def read_pem(path: Path, option: str) -> str:
    """The text of the PEM file given as `option`; a `ConfigError` if it cannot be read.

    The error reads `--cafile ca.pem: no such file or directory`.
    """
    try:
        return path.read_text(encoding="ascii")
    except UnicodeDecodeError:
        raise ConfigError(f"{option} {path}: not a PEM file (binary content)") from None
    except OSError as exc:
        detail = exc.strerror.lower() if exc.strerror else type(exc).__name__
        raise ConfigError(f"{option} {path}: {detail}") from None


def has_block(text: str, label: str) -> bool:
    """Whether `text` holds a PEM block whose label ends with `label`."""
    return f"{label}-----" in text and "-----BEGIN " in text
