"""The packages depend one way (web -> indexer -> archive), and the web app reads the archive through the search
service, never the store: a second store or engine then replaces a module below the service, not the pages."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BELOW = {"archive": ("indexer", "web", "cli"), "indexer": ("web", "cli")}


def modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def imported(path: Path) -> list[tuple[str, list[str]]]:
    """(module, names) for each import statement of a file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.append((node.module, [alias.name for alias in node.names]))
    return found


@pytest.mark.parametrize("package", sorted(BELOW))
def test_a_package_never_imports_one_above_it(package):
    wrong = [
        f"{path.relative_to(ROOT)} imports {module}"
        for path in modules(package)
        for module, _ in imported(path)
        if module.split(".")[0] in BELOW[package]
    ]
    assert wrong == []


def test_the_web_app_reads_through_the_service_not_the_store():
    wrong = []
    for path in modules("web"):
        for module, names in imported(path):
            # types (dataclasses the service returns) may be named; functions that read the store may not
            if module.startswith("archive.store") and any(not name[:1].isupper() for name in names):
                wrong.append(f"{path.relative_to(ROOT)} imports {module}: {names}")
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and node.attr == "store":
                wrong.append(f"{path.relative_to(ROOT)}:{node.lineno} reaches .store")
    assert wrong == []
