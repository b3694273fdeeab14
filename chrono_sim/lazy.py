"""Lazy package exports (PEP 562): a name is imported from its module on first use.

A package's `__init__` re-exports its public names this way so that importing
the package, or one light module inside it, does not import its heavy ones.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping


def lazy_exports(
    package: str, homes: Mapping[str, str]
) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """A module `__getattr__` and `__dir__` for `package`, finding each name in `homes[name]`.

    `homes` maps a public name to its module: absolute (`"chrono_sim.server"`) or
    relative to `package` (`".feed"`). The value found is stored in the package,
    so later lookups never call `__getattr__` again.
    """

    def find(name: str) -> object:
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(home, package), name)
        setattr(sys.modules[package], name, value)
        return value

    def names() -> list[str]:
        return sorted(set(vars(sys.modules[package])) | set(homes))

    return find, names
