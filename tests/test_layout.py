"""The package layout stays honest: the import contract in pyproject.toml holds, and a new
upward import or import cycle breaks it. Fast: no model, no build."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

REPO = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    """``lint-imports`` on the package and pyproject.toml found in ``root``."""
    return subprocess.run([str(LINT_IMPORTS), "--config", str(root / "pyproject.toml"),
                           "--no-cache"], cwd=root, capture_output=True, text=True,
                          env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"}, timeout=120)


@pytest.fixture
def package_copy(tmp_path: Path) -> Path:
    """A copy of the package and its pyproject.toml to break on purpose."""
    shutil.copytree(REPO / "vibesite", tmp_path / "vibesite",
                    ignore=shutil.ignore_patterns("__pycache__", "vendor", "scaffold"))
    shutil.copy(REPO / "pyproject.toml", tmp_path)
    return tmp_path


def test_the_import_contract_holds() -> None:
    result = lint_imports(REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 2 kept, 0 broken." in result.stdout


def _add_import(module: Path, statement: str) -> None:
    """Add ``statement`` inside a function at the end of ``module`` (imports in functions
    count too)."""
    module.write_text(module.read_text() + f"\n\ndef _added() -> None:\n    {statement}\n")


@pytest.mark.parametrize(("module", "statement", "broken"), [
    # a lower layer reaching up: content is below pipeline
    ("content/dates.py", "from vibesite.pipeline import build  # noqa", "Pipeline layers"),
    # two packages of one layer that must stay apart
    ("search/index.py", "import vibesite.topics.build  # noqa", "Pipeline layers"),
    # a cycle inside one package: parse imports slugs already
    ("content/slugs.py", "import vibesite.content.parse  # noqa", "No import cycle"),
])
def test_an_upward_import_or_a_cycle_breaks_the_contract(
        package_copy: Path, module: str, statement: str, broken: str) -> None:
    assert lint_imports(package_copy).returncode == 0
    _add_import(package_copy / "vibesite" / module, statement)
    result = lint_imports(package_copy)
    assert result.returncode == 1, result.stdout
    assert f"{broken}" in result.stdout and "BROKEN" in result.stdout


def test_no_import_cycle_between_any_two_modules() -> None:
    """Stricter than the contract: no chain of imports (in functions too) from any module
    back to itself, packages' ``__init__`` aside."""
    graph = grimp.build_graph("vibesite")
    modules = sorted(graph.modules)
    cycles = []
    for module in modules:
        for imported in graph.find_modules_directly_imported_by(module):
            if imported != "vibesite" and graph.chain_exists(imported, module):
                cycles.append(graph.find_shortest_chain(imported, module))
    assert cycles == []


def test_every_module_says_what_goes_in_and_comes_out() -> None:
    """A docstring per module, and modules small enough to read (about 400 lines)."""
    missing, long = [], []
    for path in sorted((REPO / "vibesite").rglob("*.py")):
        if "scaffold" in path.parts:
            continue
        source = path.read_text(encoding="utf-8")
        if not ast.get_docstring(ast.parse(source)):
            missing.append(path.name)
        if source.count("\n") > 420:
            long.append(f"{path.name}: {source.count(chr(10))} lines")
    assert missing == [] and long == []
