"""The shape of the code base, checked: import layers, module sizes, self-contained tests."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MAX_LINES = 400


def test_the_import_contracts_of_pyproject_hold() -> None:
    lint_imports = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert lint_imports is not None, "import-linter is a test dependency: pip install -e '.[test]'"
    run = subprocess.run(
        [lint_imports, "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stdout + run.stderr


@pytest.mark.parametrize("package", ["chrono_sim", "chrono_cli", "loadtests"])
def test_no_module_is_over_400_lines(package: str) -> None:
    sizes = {path: len(path.read_text().splitlines()) for path in (ROOT / package).rglob("*.py")}
    assert {str(path.relative_to(ROOT)): n for path, n in sizes.items() if n > MAX_LINES} == {}


def imported_modules(path: Path) -> set[str]:
    imported: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module is not None:
            imported.add(node.module)
            imported.update(f"{node.module}.{alias.name}" for alias in node.names)
    return imported


def test_no_module_of_the_library_imports_its_root_package() -> None:
    # The root re-exports every layer: importing it from inside would cross them all
    # unseen by the import contracts.
    offenders = {
        str(path.relative_to(ROOT)): sorted(
            name for name in imported_modules(path) if name.split(".")[:2] == ["chrono_sim"]
        )
        for path in (ROOT / "chrono_sim").rglob("*.py")
        if path.name != "__init__.py" or path.parent.name != "chrono_sim"
    }
    assert {path: names for path, names in offenders.items() if names} == {}


def test_no_test_module_imports_another_test_module() -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(
            name for name in imported_modules(path) if name.rsplit(".", 1)[-1].startswith("test_")
        )
        for path in (ROOT / "tests").rglob("*.py")
    }
    assert {path: names for path, names in offenders.items() if names} == {}
