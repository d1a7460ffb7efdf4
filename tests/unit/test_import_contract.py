"""The import contract (pyproject `[tool.importlinter]`) holds on this tree, and it would catch a back-edge."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
PACKAGES = ("hub", "channels", "routing", "inbox_ui")


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run([str(LINT_IMPORTS), str(tree / "pyproject.toml"), "--no-cache"],
                          cwd=tree, env=env, capture_output=True, text=True, timeout=300)


def _copy(tmp_path: Path) -> Path:
    tree = tmp_path / "tree"
    tree.mkdir()
    shutil.copy(ROOT / "pyproject.toml", tree / "pyproject.toml")
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tree / package,
                        ignore=shutil.ignore_patterns("static", "__pycache__", "*.js", "*.css"))
    return tree


def test_the_contract_holds_on_this_tree() -> None:
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_store_module_importing_the_api_breaks_the_contract(tmp_path: Path) -> None:
    tree = _copy(tmp_path)
    store = tree / "hub" / "store" / "messages.py"
    store.write_text(store.read_text() + "\nfrom hub.api import v1  # a deliberate back-edge\n")
    result = _lint(tree)
    assert result.returncode != 0
    assert "hub.store is not allowed to import hub.api" in result.stdout


def test_routing_importing_the_hub_breaks_the_contract(tmp_path: Path) -> None:
    tree = _copy(tmp_path)
    engine = tree / "routing" / "engine.py"
    engine.write_text(engine.read_text() + "\nimport hub.runtime  # a deliberate back-edge\n")
    result = _lint(tree)
    assert result.returncode != 0
    assert "routing is not allowed to import hub" in result.stdout
