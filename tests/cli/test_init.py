"""gitbench init: a new workbench, or an existing repository adopted."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from gitbench.errors import ErrorCode
from tests.cli.common import error_document, files_of, ok, porcelain, refused, refused_outside
from tests.support.cli import run
from tests.support.gitcli import git, rev

HOOKS = Path(__file__).resolve().parents[2] / "hooks"
SHIPPED = sorted(p.name for p in HOOKS.iterdir() if p.is_file() and "." not in p.name)


def test_init_creates_a_non_bare_repository_with_main(tmp_path: Path) -> None:
    result = ok(tmp_path, "init", "bench")
    root = tmp_path / "bench"
    assert git("rev-parse", "--is-bare-repository", cwd=root) == "false"
    assert git("rev-parse", "--show-toplevel", cwd=root) == str(root.resolve())
    assert git("symbolic-ref", "HEAD", cwd=root) == "refs/heads/main"
    assert git("rev-list", "--count", "main", cwd=root) == "1"
    assert result["main"] == rev(root, "main")
    assert result["adopted"] is False
    assert git("log", "-1", "--format=%s", "main", cwd=root) == "Create workbench"
    assert porcelain(root) == ""


def test_init_marks_the_repository_as_a_workbench(tmp_path: Path) -> None:
    ok(tmp_path, "init", "bench")
    root = tmp_path / "bench"
    assert (
        git("config", "--file", str(root / ".git" / "config"), "gitbench.version", cwd=root) == "1"
    )


def test_init_installs_the_shipped_hooks_executable(tmp_path: Path) -> None:
    result = ok(tmp_path, "init", "bench")
    hooks = tmp_path / "bench" / ".git" / "hooks"
    assert sorted(result["hooks"]) == SHIPPED
    assert SHIPPED, "the source tree ships hooks"
    for name in SHIPPED:
        installed = hooks / name
        assert installed.read_bytes() == (HOOKS / name).read_bytes()
        assert installed.stat().st_mode & stat.S_IXUSR


def test_init_defaults_to_the_current_directory(tmp_path: Path) -> None:
    root = tmp_path / "here"
    root.mkdir()
    ok(root, "init")
    assert rev(root, "main") is not None
    assert (root / ".git").is_dir()


def test_init_with_dash_c_creates_the_workbench_there(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere"
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    result = run(elsewhere, "-C", str(target), "--json", "init")
    assert result.exit_code == 0, result.stderr
    assert rev(target, "main") is not None
    assert not (elsewhere / ".git").exists()


def test_init_with_a_relative_dash_c_is_relative_to_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run(tmp_path, "-C", "rel", "--json", "init")
    assert result.exit_code == 0, result.stderr
    assert rev(tmp_path / "rel", "main") is not None


def test_init_refuses_an_existing_git_repository(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    git("init", "-q", "-b", "main", cwd=root)
    (root / "file.txt").write_text("x\n")
    git("add", "file.txt", cwd=root)
    git("commit", "-q", "-m", "first", cwd=root)
    error = refused(root, "init", code=ErrorCode.VALIDATION_FAILED, phase="init")
    assert error["detail"]["path"] == str(root.resolve())
    assert "gitbench.version" not in git("config", "--list", "--local", cwd=root)


def test_init_refuses_an_existing_workbench(tmp_path: Path) -> None:
    ok(tmp_path, "init", "bench")
    refused(tmp_path / "bench", "init", code=ErrorCode.VALIDATION_FAILED, phase="init")


def test_init_adopt_makes_an_existing_repository_a_workbench(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    git("init", "-q", "-b", "main", cwd=root)
    (root / "file.txt").write_text("x\n")
    git("add", "file.txt", cwd=root)
    git("commit", "-q", "-m", "first", cwd=root)
    main = rev(root, "main")
    result = ok(root, "init", "--adopt")
    assert result["adopted"] is True
    assert result["main"] == main
    assert rev(root, "main") == main
    assert git("config", "gitbench.version", cwd=root) == "1"
    for name in SHIPPED:
        assert (root / ".git" / "hooks" / name).read_bytes() == (HOOKS / name).read_bytes()
    assert ok(root, "ls")["files"][0]["path"] == "file.txt"


def test_init_adopt_refuses_a_repository_without_main(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    git("init", "-q", "-b", "trunk", cwd=root)
    git("commit", "-q", "--allow-empty", "-m", "first", cwd=root)
    refused(root, "init", "--adopt", code=ErrorCode.NOT_FOUND, phase="init")
    assert "gitbench.version" not in git("config", "--list", "--local", cwd=root)


def test_init_adopt_refuses_a_directory_that_is_not_a_repository(tmp_path: Path) -> None:
    root = tmp_path / "plain"
    root.mkdir()
    (root / "keep.txt").write_text("keep\n")
    refused_outside(root, "init", "--adopt", code=ErrorCode.NOT_A_WORKBENCH, phase="open")
    assert not (root / ".git").exists()


def test_init_makes_a_workbench_other_commands_accept(tmp_path: Path) -> None:
    ok(tmp_path, "init", "bench")
    status = ok(tmp_path / "bench", "status")
    assert status["draft"] is None
    assert status["local_changes"] == []


def test_init_first_commit_uses_the_author_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GIT_AUTHOR_NAME", "Ada Lovelace")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "ada@example.com")
    ok(tmp_path, "init", "bench")
    author = git("log", "-1", "--format=%an <%ae>", "main", cwd=tmp_path / "bench")
    assert author == "Ada Lovelace <ada@example.com>"


def test_init_below_a_regular_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("not a directory\n")
    before = files_of(tmp_path)
    result = run(tmp_path, "--json", "init", "afile/sub")
    error = error_document(result)
    assert error["code"] in {"FILE_WRITE_FAILED", "VALIDATION_FAILED"}
    assert error["phase"] == "init"
    assert result.exit_code == ErrorCode(error["code"]).exit_status
    assert files_of(tmp_path) == before


def test_a_workbench_made_by_init_goes_through_the_whole_cycle(tmp_path: Path) -> None:
    """init, add, put, review, publish, checkpoint, restore: with the hooks installed, since
    gitbench writes through libgit2, which runs no hooks."""
    source = tmp_path / "outside" / "plan.md"
    source.parent.mkdir()
    source.write_text("v1\n")
    ok(tmp_path, "init", "bench")
    root = tmp_path / "bench"
    first = ok(root, "add", str(source))["commit"]
    ok(root, "put", "plan.md", input="v2\n")
    assert [f["status"] for f in ok(root, "review")["files"]] == ["modified"]
    published = ok(root, "publish")
    assert (root / "plan.md").read_text() == "v2\n"
    assert published["checkpoint"]["commit"] == first
    ok(root, "checkpoint", "restore", published["checkpoint"]["id"])
    assert (root / "plan.md").read_text() == "v1\n"
    assert git("rev-parse", "main^{tree}", cwd=root) == git(
        "rev-parse", f"{first}^{{tree}}", cwd=root
    )
    assert porcelain(root) == ""
    assert ok(root, "hooks", "status")["active"] is True
