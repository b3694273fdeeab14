"""`chrono_sim` exports what a library user needs, lazily, each name from its one home."""

from __future__ import annotations

import subprocess
import sys

import pytest

import chrono_sim

PUBLIC = [
    "ApiKey", "AuthenticationError", "Catalog", "ChronoError", "ChronoServer", "ClientError",
    "Clock", "ConfigError", "Connected", "DataFileError", "Disconnected", "FaultPlan",
    "FaultSpecError", "FeedClient", "FeedEvent", "Heartbeat", "InvalidUrlError", "KeyStore",
    "KeysFileError",
    "ManualClock", "MessageError", "Price", "PriceSource", "ProtocolLimits", "Quote",
    "ReconnectPolicy", "ReplaySource", "RequestRefusedError", "Retrying", "ScriptedSource",
    "ServerConfig", "ServerUnreachableError", "Subscribed", "SymbolSpec",
    "SymbolsUnavailableError", "SyntheticSource", "SystemClock", "__version__", "load_keys",
    "parse_faults",
]  # fmt: skip


def test_the_public_names_are_pinned() -> None:
    assert chrono_sim.__all__ == PUBLIC


@pytest.mark.parametrize("name", PUBLIC)
def test_every_public_name_resolves(name: str) -> None:
    assert getattr(chrono_sim, name) is not None


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        _ = chrono_sim.Nope  # type: ignore[attr-defined]


def test_every_error_is_in_the_one_tree() -> None:
    errors = [getattr(chrono_sim, name) for name in PUBLIC if name.endswith("Error")]
    assert all(issubclass(error, chrono_sim.ChronoError) for error in errors)


def test_importing_the_root_loads_no_submodule_until_a_name_is_used() -> None:
    script = "import sys, chrono_sim; print(*sorted(sys.modules))"
    printed = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout.split()
    loaded = [name for name in printed if name.startswith("chrono_sim.")]
    assert loaded == ["chrono_sim.lazy", "chrono_sim.version"]


def test_dir_lists_every_public_name() -> None:
    assert set(PUBLIC) <= set(dir(chrono_sim))
