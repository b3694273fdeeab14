"""The protocol core is pure: importing any of it loads no event loop, socket, numpy or metrics."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import chrono_sim.protocol

HEAVY = ("asyncio", "websockets", "numpy", "prometheus_client", "socket", "ssl", "uvloop")
CORE = sorted(
    f"chrono_sim.protocol.{module.name}"
    for module in pkgutil.iter_modules(chrono_sim.protocol.__path__)
)


def loaded_after_importing(*modules: str) -> set[str]:
    """The top-level modules a fresh interpreter holds after importing `modules`."""
    script = "; ".join(
        [*(f"import {module}" for module in modules), "import sys", "print(*sys.modules)"]
    )
    printed = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout
    return {name.split(".")[0] for name in printed.split()}


def test_the_core_is_every_module_the_issue_names() -> None:
    names = {module.rsplit(".", 1)[1] for module in CORE}
    assert names >= {
        "messages", "wire", "timestamps", "session", "outbox", "hub", "admission",
        "ratelimit", "auth", "catalog", "quote", "clock", "keys", "limits",
    }  # fmt: skip


def test_the_session_imports_no_event_loop_socket_or_numpy() -> None:
    assert loaded_after_importing("chrono_sim.protocol.session").isdisjoint(HEAVY)


def test_no_core_module_imports_anything_heavy() -> None:
    assert loaded_after_importing(*CORE).isdisjoint(HEAVY)


def test_importing_the_package_root_loads_neither_server_nor_numpy() -> None:
    loaded = loaded_after_importing("chrono_sim", "chrono_sim.protocol")
    assert loaded.isdisjoint(HEAVY)
