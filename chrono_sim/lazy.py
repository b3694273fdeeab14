"""Lazy package exports (PEP 562): a name is imported from its module on first use.

A package's `__init__` re-exports its public names this way so that importing
the package, or one light module inside it, does not import its heavy ones.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping


def lazy_exports(package: str, homes: Mapping[str, str]) -> Callable[[str], object]:
    """A module `__getattr__` for `package` that finds each name in `homes[name]`.

    `homes` maps a public name to its module, relative to `package` (`"feed"`) or
    absolute (`"chrono_sim.server.app"`). The value found is stored in the
    package, so later lookups never call this again.
    """

    def find(name: str) -> object:
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module = home if home.startswith("chrono_sim") else f"{package}.{home}"
        value = getattr(importlib.import_module(module), name)
        setattr(sys.modules[package], name, value)
        return value

    return find
