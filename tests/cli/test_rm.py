"""gitbench rm: remove published files or directories as one commit on main."""

from __future__ import annotations

import os
from pathlib import Path

from gitbench.errors import ErrorCode
from tests.cli.common import actions, ok, porcelain, refused, tree_paths
from tests.support.benches import make_bench
from tests.support.gitcli import git, rev


def test_rm_removes_a_file_as_one_commit(bench_path: Path) -> None:
    main = rev(bench_path, "main")
    result = ok(bench_path, "rm", "notes.md")
    assert result["removed"] == ["notes.md"]
    assert rev(bench_path, "main") == result["commit"]
    assert git("rev-parse", "main^", cwd=bench_path) == main
    assert "notes.md" not in tree_paths(bench_path, "main")
    assert sorted(tree_paths(bench_path, "main")) == ["data.bin", "docs/guide.md"]


def test_rm_deletes_the_file_from_the_working_tree(bench_path: Path) -> None:
    ok(bench_path, "rm", "notes.md")
    assert not (bench_path / "notes.md").exists()
    assert porcelain(bench_path) == ""


def test_rm_removes_a_directory(tmp_path: Path) -> None:
    root = make_bench(
        tmp_path / "bench",
        {"keep.md": "k\n", "dir/a.md": "a\n", "dir/sub/b.md": "b\n", "dirt.md": "d\n"},
    )
    result = ok(root, "rm", "dir")
    assert sorted(result["removed"]) == ["dir/a.md", "dir/sub/b.md"]
    assert sorted(tree_paths(root, "main")) == ["dirt.md", "keep.md"]
    assert not (root / "dir").exists()
    assert (root / "dirt.md").exists()
    assert porcelain(root) == ""


def test_rm_of_several_paths_is_one_commit(bench_path: Path) -> None:
    main = rev(bench_path, "main")
    ok(bench_path, "rm", "notes.md", "data.bin")
    assert git("rev-list", "--count", f"{main}..main", cwd=bench_path) == "1"
    assert tree_paths(bench_path, "main") == ["docs/guide.md"]


def test_rm_refuses_a_missing_path(bench_path: Path) -> None:
    error = refused(bench_path, "rm", "nope.md", code=ErrorCode.NOT_FOUND, phase="validating")
    assert error["detail"]["paths"] == ["nope.md"]


def test_rm_refuses_the_whole_batch_when_one_path_is_missing(bench_path: Path) -> None:
    refused(bench_path, "rm", "notes.md", "nope.md", code=ErrorCode.NOT_FOUND, phase="validating")


def test_rm_does_not_treat_a_name_prefix_as_a_directory(bench_path: Path) -> None:
    refused(bench_path, "rm", "doc", code=ErrorCode.NOT_FOUND, phase="validating")


def test_rm_refuses_while_a_draft_exists(tmp_path: Path) -> None:
    root = make_bench(tmp_path / "bench", {"a.md": "a\n"}, draft={"b.md": "b\n"})
    error = refused(root, "rm", "a.md", code=ErrorCode.DRAFT_EXISTS, phase="gate")
    assert actions(error) == ["review_draft", "publish_draft", "discard_draft"]


def test_rm_refuses_a_locally_modified_file(bench_path: Path) -> None:
    (bench_path / "notes.md").write_text("my unsaved edit\n")
    error = refused(
        bench_path, "rm", "notes.md", code=ErrorCode.WORKTREE_DIRTY, phase="worktree_check"
    )
    assert error["detail"]["paths"] == ["notes.md"]
    assert (bench_path / "notes.md").read_text() == "my unsaved edit\n"


def test_rm_refuses_when_a_file_in_the_directory_was_modified(bench_path: Path) -> None:
    (bench_path / "docs" / "guide.md").write_text("edited\n")
    refused(bench_path, "rm", "docs", code=ErrorCode.WORKTREE_DIRTY, phase="worktree_check")


def test_rm_of_a_file_already_deleted_locally_succeeds(bench_path: Path) -> None:
    (bench_path / "notes.md").unlink()
    ok(bench_path, "rm", "notes.md")
    assert "notes.md" not in tree_paths(bench_path, "main")
    assert porcelain(bench_path) == ""


def test_rm_works_next_to_a_file_name_that_is_not_utf8(tmp_path: Path) -> None:
    root = make_bench(tmp_path / "bench", {"ok.md": "ok\n"})
    Path(os.fsdecode(os.fsencode(root) + b"/caf\xe9.md")).write_bytes(b"x\n")
    git("add", "-A", cwd=root)
    git("commit", "-q", "-m", "latin-1 name", cwd=root)
    ok(root, "rm", "ok.md")
    assert git("ls-tree", "--name-only", "main", "ok.md", cwd=root) == ""
