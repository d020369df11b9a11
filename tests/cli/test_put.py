"""gitbench put: a person's write to the draft, one commit per call; main never moves."""

from __future__ import annotations

from pathlib import Path

import pytest

from gitbench.errors import ErrorCode
from tests.cli.common import ok, porcelain, refused, show_blob, snapshot, tree_paths
from tests.support.benches import make_bench
from tests.support.cli import run
from tests.support.gitcli import git, rev


def test_put_from_stdin_creates_the_draft_from_main(bench_path: Path) -> None:
    main = rev(bench_path, "main")
    assert rev(bench_path, "draft") is None
    result = ok(bench_path, "put", "new.md", input=b"fresh\n")
    assert result == {
        "path": "new.md",
        "action": "created",
        "commit": rev(bench_path, "draft"),
        "draft_created": True,
    }
    assert git("merge-base", "main", "draft", cwd=bench_path) == main
    assert git("rev-parse", "draft^", cwd=bench_path) == main
    assert show_blob(bench_path, "draft", "new.md") == b"fresh\n"
    assert rev(bench_path, "main") == main


def test_put_from_a_file(bench_path: Path, work_dir: Path) -> None:
    source = work_dir / "input.bin"
    source.write_bytes(b"\x00binary\xff")
    result = ok(bench_path, "put", "docs/blob.bin", "--from", str(source))
    assert result["action"] == "created"
    assert show_blob(bench_path, "draft", "docs/blob.bin") == b"\x00binary\xff"
    assert source.read_bytes() == b"\x00binary\xff"


def test_put_from_a_relative_file(bench_path: Path) -> None:
    (bench_path / "docs" / "local.md").write_text("local\n")
    ok(bench_path / "docs", "put", "copied.md", "--from", "local.md")
    assert show_blob(bench_path, "draft", "copied.md") == b"local\n"


def test_put_modifies_a_published_file(bench_path: Path) -> None:
    result = ok(bench_path, "put", "notes.md", input="alpha\ngamma\n")
    assert result["action"] == "modified"
    assert show_blob(bench_path, "draft", "notes.md") == b"alpha\ngamma\n"
    assert show_blob(bench_path, "main", "notes.md") == b"alpha\nbeta\n"


def test_put_delete_removes_the_file_in_the_draft(bench_path: Path) -> None:
    result = ok(bench_path, "put", "--delete", "data.bin")
    assert result["action"] == "deleted"
    assert result["draft_created"] is True
    assert "data.bin" not in tree_paths(bench_path, "draft")
    assert "data.bin" in tree_paths(bench_path, "main")


def test_put_is_one_commit_per_call_on_the_same_draft(bench_path: Path) -> None:
    main = rev(bench_path, "main")
    first = ok(bench_path, "put", "a.md", input="a\n")
    second = ok(bench_path, "put", "b.md", input="b\n")
    third = ok(bench_path, "put", "--delete", "a.md")
    assert second["draft_created"] is False
    assert third["draft_created"] is False
    assert git("rev-list", "--count", "main..draft", cwd=bench_path) == "3"
    assert git("rev-parse", "draft~3", cwd=bench_path) == main
    assert git("rev-parse", "draft~1", cwd=bench_path) == second["commit"]
    assert git("rev-parse", "draft~2", cwd=bench_path) == first["commit"]
    assert rev(bench_path, "main") == main


def test_put_never_touches_main_nor_the_working_tree(bench_path: Path) -> None:
    before = snapshot(bench_path)
    ok(bench_path, "put", "notes.md", input="changed\n")
    ok(bench_path, "put", "brand-new.md", input="new\n")
    ok(bench_path, "put", "--delete", "docs/guide.md")
    after = snapshot(bench_path)
    assert after["files"] == before["files"]
    assert after["index"] == before["index"]
    assert after["refs"]["refs/heads/main"] == before["refs"]["refs/heads/main"]
    assert porcelain(bench_path) == ""
    assert not (bench_path / "brand-new.md").exists()


def test_put_of_unchanged_content_makes_no_commit(bench_path: Path) -> None:
    ok(bench_path, "put", "x.md", input="x\n")
    tip = rev(bench_path, "draft")
    result = ok(bench_path, "put", "x.md", input="x\n")
    assert result == {"path": "x.md", "action": "unchanged", "commit": None, "draft_created": False}
    assert rev(bench_path, "draft") == tip


def test_put_of_mains_content_creates_no_draft(bench_path: Path) -> None:
    before = snapshot(bench_path)
    result = ok(bench_path, "put", "notes.md", input="alpha\nbeta\n")
    assert result["action"] == "unchanged"
    assert result["draft_created"] is False
    assert snapshot(bench_path) == before


def test_put_of_an_empty_file(bench_path: Path) -> None:
    ok(bench_path, "put", "empty.md", input=b"")
    assert show_blob(bench_path, "draft", "empty.md") == b""


def test_put_commit_is_authored_by_the_repositorys_identity(bench_path: Path) -> None:
    git("config", "user.name", "Grace Hopper", cwd=bench_path)
    git("config", "user.email", "grace@example.com", cwd=bench_path)
    ok(bench_path, "put", "x.md", input="x\n")
    assert git("log", "-1", "--format=%an <%ae>|%cn <%ce>", "draft", cwd=bench_path) == (
        "Grace Hopper <grace@example.com>|Grace Hopper <grace@example.com>"
    )


def test_put_commit_falls_back_to_the_author_environment(
    bench_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GIT_AUTHOR_NAME", "Ada Lovelace")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "ada@example.com")
    ok(bench_path, "put", "x.md", input="x\n")
    assert git("log", "-1", "--format=%an <%ae>", "draft", cwd=bench_path) == (
        "Ada Lovelace <ada@example.com>"
    )


@pytest.mark.parametrize(
    "path",
    [
        "../escape.md",
        ".git/config",
        "a\\b.md",
        "/abs.md",
        "docs/../../x",
        "CON",
        "dir/",
        "",
        "x\ty",
    ],
)
def test_put_refuses_an_unsafe_path(bench_path: Path, path: str) -> None:
    error = refused(
        bench_path,
        "put",
        path,
        input=b"evil\n",
        code=ErrorCode.SANDBOX_VIOLATION,
        phase="validating",
    )
    assert error["detail"]["path"] == path
    assert not (bench_path.parent / "escape.md").exists()


def test_put_delete_of_a_missing_file_is_refused(bench_path: Path) -> None:
    error = refused(
        bench_path, "put", "--delete", "nope.md", code=ErrorCode.NOT_FOUND, phase="validating"
    )
    assert error["detail"]["paths"] == ["nope.md"]


def test_put_delete_of_a_file_already_deleted_in_the_draft_is_refused(tmp_path: Path) -> None:
    root = make_bench(tmp_path / "bench", {"a.md": "a\n"}, draft={"a.md": None})
    refused(root, "put", "--delete", "a.md", code=ErrorCode.NOT_FOUND, phase="validating")


def test_put_from_a_missing_file_is_refused(bench_path: Path, work_dir: Path) -> None:
    error = refused(
        bench_path,
        "put",
        "x.md",
        "--from",
        str(work_dir / "nope"),
        code=ErrorCode.FILE_READ_FAILED,
        phase="read_input",
    )
    assert error["detail"]["path"] == str(work_dir / "nope")


def test_put_adds_to_an_existing_draft(tmp_path: Path) -> None:
    root = make_bench(tmp_path / "bench", {"a.md": "a\n"}, draft={"b.md": "b\n"})
    tip = rev(root, "draft")
    result = ok(root, "put", "c.md", input="c\n")
    assert result["draft_created"] is False
    assert git("rev-parse", "draft^", cwd=root) == tip
    assert sorted(tree_paths(root, "draft")) == ["a.md", "b.md", "c.md"]


def test_put_refuses_a_file_where_a_directory_exists(bench_path: Path) -> None:
    refused(
        bench_path,
        "put",
        "docs",
        input=b"lost\n",
        code=ErrorCode.SANDBOX_VIOLATION,
        phase="validating",
    )


def test_put_refuses_a_path_below_a_file(bench_path: Path) -> None:
    refused(
        bench_path,
        "put",
        "notes.md/x",
        input=b"x\n",
        code=ErrorCode.SANDBOX_VIOLATION,
        phase="validating",
    )


@pytest.mark.parametrize("path", ["NOTES.md", "Docs/other.md"])
def test_put_refuses_a_case_insensitive_collision(bench_path: Path, path: str) -> None:
    refused(
        bench_path, "put", path, input=b"x\n", code=ErrorCode.SANDBOX_VIOLATION, phase="validating"
    )


def test_put_says_when_it_removed_a_stale_lock(bench_path: Path) -> None:
    state = bench_path / ".git" / "gitbench"
    state.mkdir(exist_ok=True)
    (state / "lock").write_text("999999999\n")
    result = run(bench_path, "put", "x.md", input="x\n")
    assert result.exit_code == 0
    assert rev(bench_path, "draft") is not None
    assert "stale lock" in result.stderr
