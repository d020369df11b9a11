"""gitbench hooks status | install: are the shipped git hooks active, and repairing them."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from tests.cli.common import files_of, ok
from tests.support.benches import make_bench
from tests.support.cli import run
from tests.support.gitcli import git

SHIPPED_DIR = Path(__file__).resolve().parents[2] / "hooks"
SHIPPED = sorted(p.name for p in SHIPPED_DIR.iterdir() if p.is_file() and "." not in p.name)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return make_bench(tmp_path / "bench", {"a.md": "a\n"}, hooks=True)


def hooks_dir(root: Path) -> Path:
    return root / ".git" / "hooks"


def states(result: dict[str, object]) -> dict[str, tuple[bool, bool]]:
    return {h["name"]: (h["installed"], h["current"]) for h in result["hooks"]}  # type: ignore[attr-defined, index]


def test_hooks_status_reports_every_shipped_hook_active(root: Path) -> None:
    result = ok(root, "hooks", "status")
    assert result["active"] is True
    assert states(result) == {name: (True, True) for name in SHIPPED}
    assert result["warnings"] == []
    assert result["repaired"] == []
    assert result["hooks_dir"] == str(hooks_dir(root).resolve())


def test_hooks_status_reports_a_missing_hook(root: Path) -> None:
    (hooks_dir(root) / "pre-commit").unlink()
    result = ok(root, "hooks", "status")
    assert result["active"] is False
    assert states(result)["pre-commit"] == (False, False)
    assert any("pre-commit" in w for w in result["warnings"])
    assert "pre-commit" in run(root, "hooks", "status").stdout


def test_hooks_status_changes_nothing(root: Path) -> None:
    (hooks_dir(root) / "pre-commit").unlink()
    before = files_of(hooks_dir(root))
    ok(root, "hooks", "status")
    assert files_of(hooks_dir(root)) == before


def test_hooks_install_repairs_a_missing_hook(root: Path) -> None:
    (hooks_dir(root) / "pre-commit").unlink()
    result = ok(root, "hooks", "install")
    assert result["repaired"] == ["pre-commit"]
    assert result["active"] is True
    installed = hooks_dir(root) / "pre-commit"
    assert installed.read_bytes() == (SHIPPED_DIR / "pre-commit").read_bytes()
    assert installed.stat().st_mode & stat.S_IXUSR
    assert ok(root, "hooks", "status")["active"] is True


def test_hooks_install_restores_the_executable_bit(root: Path) -> None:
    hook = hooks_dir(root) / "reference-transaction"
    hook.chmod(0o644)
    assert states(ok(root, "hooks", "status"))["reference-transaction"] == (False, False)
    assert ok(root, "hooks", "install")["repaired"] == ["reference-transaction"]
    assert hook.stat().st_mode & stat.S_IXUSR


def test_hooks_install_keeps_a_different_hook_aside(root: Path) -> None:
    hook = hooks_dir(root) / "pre-commit"
    hook.write_text("#!/bin/sh\necho mine\n")
    assert states(ok(root, "hooks", "status"))["pre-commit"] == (True, False)
    ok(root, "hooks", "install")
    assert (hooks_dir(root) / "pre-commit.pre-gitbench").read_text() == "#!/bin/sh\necho mine\n"
    assert hook.read_bytes() == (SHIPPED_DIR / "pre-commit").read_bytes()


def test_hooks_install_when_nothing_is_missing_repairs_nothing(root: Path) -> None:
    before = files_of(hooks_dir(root))
    assert ok(root, "hooks", "install")["repaired"] == []
    assert files_of(hooks_dir(root)) == before


def test_hooks_install_into_a_workbench_without_hooks(tmp_path: Path) -> None:
    root = make_bench(tmp_path / "bench", {"a.md": "a\n"})
    for name in SHIPPED:
        (hooks_dir(root) / name).unlink(missing_ok=True)
    assert ok(root, "hooks", "status")["active"] is False
    assert sorted(ok(root, "hooks", "install")["repaired"]) == SHIPPED


def test_hooks_status_warns_when_core_hooks_path_points_elsewhere(
    root: Path, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "other-hooks"
    elsewhere.mkdir()
    git("config", "core.hooksPath", str(elsewhere), cwd=root)
    result = ok(root, "hooks", "status")
    assert result["active"] is False
    assert result["hooks_dir"] == str(elsewhere)
    assert any("core.hooksPath" in w for w in result["warnings"])
    assert "core.hooksPath" in run(root, "hooks", "status").stdout


def test_hooks_status_warns_about_core_hooks_path_even_when_hooks_are_there(
    root: Path, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "other-hooks"
    elsewhere.mkdir()
    git("config", "core.hooksPath", str(elsewhere), cwd=root)
    ok(root, "hooks", "install")
    result = ok(root, "hooks", "status")
    assert states(result) == {name: (True, True) for name in SHIPPED}
    assert any("core.hooksPath" in w for w in result["warnings"])
