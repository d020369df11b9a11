"""Import-layer rules of design.md section 3, enforced on the source (after dulwich's test_source)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.benches import make_bench

PACKAGE = Path(__file__).resolve().parents[1] / "gitbench"
MODULES = sorted(PACKAGE.rglob("*.py"))

# Which top-level packages each layer may import (besides the standard library and pydantic).
ALLOWED_THIRD_PARTY = {
    "store": {"pygit2", "pydantic"},
    "cli": {"click", "rich", "pydantic"},
    "services": {"pydantic"},
    "edits": {"pydantic"},
    "policy": {"httpx", "pydantic"},
    "providers": {"httpx", "pydantic"},
}
THIRD_PARTY = {"pygit2", "click", "rich", "httpx", "pydantic", "pydantic_core"}
# Which gitbench layers each layer may import: dependencies point downward only.
ALLOWED_LAYERS = {
    "cli": {"services", "errors", "config", "clock", "paths", "store.repo"},
    "services": {
        "store",
        "edits",
        "policy",
        "providers",
        "errors",
        "config",
        "clock",
        "paths",
        "services",
    },
    "store": {"store", "errors", "config", "clock", "paths"},
    "edits": {"edits", "errors", "paths"},
    "policy": {"policy", "errors", "config", "clock"},
    "providers": {"providers", "policy", "errors", "config", "clock"},
}


def _layer(path: Path) -> str:
    parts = path.relative_to(PACKAGE).parts
    return parts[0] if len(parts) > 1 else path.stem


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_third_party_imports_stay_in_their_layer(path: Path) -> None:
    layer = _layer(path)
    allowed = ALLOWED_THIRD_PARTY.get(layer, {"pydantic"})
    used = {name.split(".")[0] for name in _imports(path)} & THIRD_PARTY
    assert used <= allowed | {"pydantic_core"}, f"{layer} may not import {used - allowed}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_gitbench_imports_point_downward(path: Path) -> None:
    layer = _layer(path)
    if layer not in ALLOWED_LAYERS:
        return
    for name in _imports(path):
        if not name.startswith("gitbench."):
            continue
        target = name.removeprefix("gitbench.")
        allowed = ALLOWED_LAYERS[layer] | {layer}
        assert any(target == a or target.startswith(a + ".") for a in allowed), (
            f"{path.name} ({layer}) imports {name}"
        )


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_every_module_starts_with_future_annotations(path: Path) -> None:
    tree = ast.parse(path.read_text())
    body = tree.body[1:] if tree.body and isinstance(tree.body[0], ast.Expr) else tree.body
    if not body:
        return
    first = body[0]
    assert isinstance(first, ast.ImportFrom) and first.module == "__future__", path


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_environment_is_read_only_in_config(path: Path) -> None:
    if path.name == "config.py":
        return
    assert "os.environ" not in path.read_text() and "getenv" not in path.read_text(), path


def _modules_loaded_by(*args: str) -> set[str]:
    """The modules a fresh interpreter has loaded after running `gitbench ARGS`."""
    probe = (
        "import sys\nfrom gitbench.cli.main import cli\n"
        f"try:\n    cli.main({list(args)!r}, prog_name='gitbench')\nexcept SystemExit:\n    pass\n"
        "print(' '.join(sorted(sys.modules)))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(done.stdout.split())


def test_help_imports_neither_pygit2_nor_httpx() -> None:
    loaded = _modules_loaded_by("--help")
    assert "pygit2" not in loaded
    assert "httpx" not in loaded


def test_status_does_not_import_httpx(bench_path: Path) -> None:
    loaded = _modules_loaded_by("-C", str(bench_path), "status", "--json")
    assert "pygit2" in loaded  # the probe did run the command
    assert "httpx" not in loaded


def test_diff_does_not_import_pydantic(tmp_path: Path) -> None:
    # Importing pydantic costs more than the whole diff (issue 8): `gitbench diff` returns a
    # dataclass and must stay off the pydantic path.
    root = make_bench(tmp_path / "bench", {"notes.md": "alpha\n"}, draft={"notes.md": "beta\n"})
    loaded = _modules_loaded_by("-C", str(root), "diff")
    assert "gitbench.services.review" in loaded  # the probe did run the command
    assert "pydantic" not in loaded
