"""The import contract in pyproject.toml is enforced: it holds on this tree, and it breaks on a back-edge."""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("channels", "hub", "inbox_ui", "routing")
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"

pytestmark = pytest.mark.skipif(not LINT_IMPORTS.exists(), reason="import-linter is in the dev extra")


def _copy_tree(into: Path) -> Path:
    for package in PACKAGES:
        shutil.copytree(ROOT / package, into / package, ignore=shutil.ignore_patterns("__pycache__", "static"))
    shutil.copy(ROOT / "pyproject.toml", into / "pyproject.toml")
    return into


def _lint(where: Path) -> subprocess.CompletedProcess[str]:
    # The copy, not the checkout, must be what import-linter imports from.
    env = {**os.environ, "PYTHONPATH": str(where)}
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=where, env=env, capture_output=True,
                          text=True, timeout=300, check=False)


def _add_line(path: Path, line: str) -> None:
    text = path.read_text()
    head, sep, rest = text.partition("from __future__ import annotations\n")
    path.write_text(head + sep + line + "\n" + rest)


def test_the_tree_keeps_every_contract() -> None:
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_a_channel_importing_the_hub_breaks_the_port_contract(tmp_path: Path) -> None:
    tree = _copy_tree(tmp_path)
    _add_line(tree / "channels" / "base.py", "import hub.app  # noqa: F401")
    result = _lint(tree)
    assert result.returncode != 0
    assert "channels reach the hub only through the host port BROKEN" in result.stdout
    assert "channels.base -> hub.app" in result.stdout


def test_routing_importing_a_channel_breaks_the_purity_contract(tmp_path: Path) -> None:
    tree = _copy_tree(tmp_path)
    _add_line(tree / "routing" / "engine.py", "import channels.base  # noqa: F401")
    result = _lint(tree)
    assert result.returncode != 0
    assert "routing is pure BROKEN" in result.stdout
    assert "routing.engine -> channels.base" in result.stdout


def test_a_store_module_importing_the_api_breaks_the_layers(tmp_path: Path) -> None:
    tree = _copy_tree(tmp_path)
    _add_line(tree / "hub" / "store" / "messages.py", "import hub.api.v1  # noqa: F401")
    result = _lint(tree)
    assert result.returncode != 0
    assert "the hub along the data flow, top to bottom BROKEN" in result.stdout
    assert "hub.store is not allowed to import hub.api" in result.stdout


def test_the_port_contract_excuses_no_import() -> None:
    with (ROOT / "pyproject.toml").open("rb") as f:
        contracts = tomllib.load(f)["tool"]["importlinter"]["contracts"]
    [port] = [c for c in contracts if c["name"] == "channels reach the hub only through the host port"]
    assert "ignore_imports" not in port


def _hub_imports(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                 else [node.module or ""] if isinstance(node, ast.ImportFrom) and node.level == 0 else [])
        found += [n for n in names if n.split(".")[0] in ("hub", "inbox_ui")]
    return found


def test_no_channel_module_names_the_hub_even_for_type_checking() -> None:
    # import-linter skips imports under TYPE_CHECKING (exclude_type_checking_imports), so this walks them too.
    offenders = {str(path.relative_to(ROOT)): names for path in sorted((ROOT / "channels").rglob("*.py"))
                 if (names := _hub_imports(path.read_text()))}
    assert offenders == {}


def test_the_hub_import_finder_sees_one_under_type_checking() -> None:
    source = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from hub.runtime import Hub\n"
    assert _hub_imports(source) == ["hub.runtime"]


# No import cycle may span two rooms: the top-level packages, each sub-package of hub/ (hub.store,
# hub.inbound...) and each module directly in hub/ (hub.keys, hub.runtime...). Read statically (grimp,
# import-linter's own graph), without the imports under TYPE_CHECKING.
_CYCLES = """
import collections, json, sys
import grimp
graph = grimp.build_graph(*sys.argv[1:], include_external_packages=False, exclude_type_checking_imports=True)
def room(module):
    parts = module.split(".")
    return ".".join(parts[:2])
edges = collections.defaultdict(set)
for module in graph.modules:
    for imported in graph.find_modules_directly_imported_by(module):
        if room(module) != room(imported):
            edges[room(module)].add(room(imported))
index, low, stack, on, found = {}, {}, [], set(), []
def visit(v):
    index[v] = low[v] = len(index); stack.append(v); on.add(v)
    for w in sorted(edges[v]):
        if w not in index:
            visit(w); low[v] = min(low[v], low[w])
        elif w in on:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        part = []
        while True:
            w = stack.pop(); on.discard(w); part.append(w)
            if w == v:
                break
        if len(part) > 1:
            found.append(sorted(part))
for v in sorted(edges):
    if v not in index:
        visit(v)
print(json.dumps(found))
"""


def _cycles(where: Path) -> list[list[str]]:
    env = {**os.environ, "PYTHONPATH": str(where)}
    result = subprocess.run([sys.executable, "-c", _CYCLES, *PACKAGES], cwd=where, env=env, capture_output=True,
                            text=True, timeout=300, check=True)
    found: list[list[str]] = json.loads(result.stdout)
    return found


def test_no_import_cycle_spans_two_rooms() -> None:
    assert _cycles(ROOT) == []


def test_a_cycle_between_two_rooms_is_found(tmp_path: Path) -> None:
    tree = _copy_tree(tmp_path)
    # hub.http.web reads the app's keys; keys importing hub.http back closes a cycle of two rooms.
    _add_line(tree / "hub" / "keys.py", "import hub.http.web  # noqa: F401")
    assert ["hub.http", "hub.keys"] in _cycles(tree)
