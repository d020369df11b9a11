"""gitbench add: copy files into main as one commit; unsafe batches change nothing."""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

import pytest

from gitbench.errors import ErrorCode
from tests.cli.common import actions, ok, porcelain, refused, show_blob, tree_paths
from tests.support.benches import make_bench
from tests.support.gitcli import git, rev


def _write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def test_add_copies_a_file_as_one_commit_on_main(bench_path: Path, work_dir: Path) -> None:
    source = _write(work_dir / "report.md", "# Report\n")
    main = rev(bench_path, "main")
    result = ok(bench_path, "add", str(source))
    assert rev(bench_path, "main") == result["commit"]
    assert git("rev-parse", "main^", cwd=bench_path) == main
    assert git("rev-list", "--count", f"{main}..main", cwd=bench_path) == "1"
    assert show_blob(bench_path, "main", "report.md") == b"# Report\n"
    assert [e["path"] for e in result["added"]] == ["report.md"]


def test_add_puts_the_published_file_in_the_working_tree(bench_path: Path, work_dir: Path) -> None:
    source = _write(work_dir / "report.md", "# Report\n")
    ok(bench_path, "add", str(source))
    assert (bench_path / "report.md").read_bytes() == b"# Report\n"
    assert porcelain(bench_path) == ""


def test_add_leaves_the_originals_untouched(bench_path: Path, work_dir: Path) -> None:
    source = _write(work_dir / "dir" / "a.txt", "a\n")
    before = source.stat()
    ok(bench_path, "add", str(work_dir / "dir"))
    after = source.stat()
    assert source.read_bytes() == b"a\n"
    assert (before.st_mtime_ns, before.st_mode, before.st_ino) == (
        after.st_mtime_ns,
        after.st_mode,
        after.st_ino,
    )


def test_add_copies_a_directory_recursively(bench_path: Path, work_dir: Path) -> None:
    _write(work_dir / "src" / "a.md", "a\n")
    _write(work_dir / "src" / "deep" / "er" / "b.md", "b\n")
    main = rev(bench_path, "main")
    ok(bench_path, "add", str(work_dir / "src"))
    assert {"src/a.md", "src/deep/er/b.md"} <= set(tree_paths(bench_path, "main"))
    assert git("rev-list", "--count", f"{main}..main", cwd=bench_path) == "1"
    assert show_blob(bench_path, "main", "src/deep/er/b.md") == b"b\n"


def test_add_several_paths_is_one_commit(bench_path: Path, work_dir: Path) -> None:
    one = _write(work_dir / "one.md", "1\n")
    two = _write(work_dir / "two.md", "2\n")
    main = rev(bench_path, "main")
    ok(bench_path, "add", str(one), str(two))
    assert git("rev-list", "--count", f"{main}..main", cwd=bench_path) == "1"
    assert {"one.md", "two.md"} <= set(tree_paths(bench_path, "main"))


def test_add_as_names_the_file(bench_path: Path, work_dir: Path) -> None:
    source = _write(work_dir / "draft-v3-final.md", "text\n")
    ok(bench_path, "add", str(source), "--as", "reports/q1.md")
    assert "reports/q1.md" in tree_paths(bench_path, "main")
    assert "draft-v3-final.md" not in tree_paths(bench_path, "main")


def test_add_as_names_a_directory(bench_path: Path, work_dir: Path) -> None:
    _write(work_dir / "src" / "a.md", "a\n")
    _write(work_dir / "src" / "sub" / "b.md", "b\n")
    ok(bench_path, "add", str(work_dir / "src"), "--as", "lib")
    assert {"lib/a.md", "lib/sub/b.md"} <= set(tree_paths(bench_path, "main"))


def test_add_as_with_several_paths_is_refused(bench_path: Path, work_dir: Path) -> None:
    one = _write(work_dir / "one.md", "1\n")
    two = _write(work_dir / "two.md", "2\n")
    refused(
        bench_path,
        "add",
        str(one),
        str(two),
        "--as",
        "x.md",
        code=ErrorCode.VALIDATION_FAILED,
        phase="validating",
    )


def test_add_reports_the_kind_of_each_file_in_ls(bench_path: Path, work_dir: Path) -> None:
    _write(work_dir / "in" / "plain.txt", "héllo\n")
    _write(work_dir / "in" / "image.png", b"\x89PNG\r\n\x1a\n\x00\x00")
    _write(work_dir / "in" / "latin1.txt", "caf\xe9\n".encode("latin-1"))
    result = ok(bench_path, "add", str(work_dir / "in"))
    assert {e["path"]: e["kind"] for e in result["added"]} == {
        "in/image.png": "opaque",
        "in/latin1.txt": "opaque",
        "in/plain.txt": "text",
    }
    listed = {f["path"]: f for f in ok(bench_path, "ls")["files"]}
    assert listed["in/plain.txt"]["kind"] == "text"
    assert listed["in/image.png"]["kind"] == "opaque"
    assert listed["in/latin1.txt"]["kind"] == "opaque"
    assert listed["in/image.png"]["size"] == 10
    assert listed["in/plain.txt"]["blob"] == rev(bench_path, "main:in/plain.txt")


def test_add_of_a_file_inside_the_workbench_keeps_its_relative_path(bench_path: Path) -> None:
    _write(bench_path / "docs" / "new" / "idea.md", "idea\n")
    ok(bench_path, "add", "docs/new/idea.md")
    assert "docs/new/idea.md" in tree_paths(bench_path, "main")
    assert "idea.md" not in tree_paths(bench_path, "main")
    assert porcelain(bench_path) == ""


def test_a_file_added_in_place_is_indexed_from_its_stat_without_a_refresh(
    bench_path: Path,
) -> None:
    """The stat data taken before the file was read goes into the index (no second hash):
    git's own stat check must find the file clean without refreshing the index."""
    _write(bench_path / "notes" / "a.md", "a\n")
    _write(bench_path / "notes" / "b.md", "b\n")
    ok(bench_path, "add", "notes")
    assert git("diff-files", "--name-only", cwd=bench_path) == ""
    (bench_path / "notes" / "a.md").write_text("changed after the add\n")
    assert git("diff-files", "--name-only", cwd=bench_path) == "notes/a.md"


def test_add_of_a_file_inside_the_workbench_from_a_subdirectory(bench_path: Path) -> None:
    _write(bench_path / "docs" / "idea.md", "idea\n")
    ok(bench_path / "docs", "add", "idea.md")
    assert "docs/idea.md" in tree_paths(bench_path, "main")


def test_add_of_the_same_content_makes_no_commit(bench_path: Path, work_dir: Path) -> None:
    source = _write(work_dir / "notes.md", "alpha\nbeta\n")
    main = rev(bench_path, "main")
    result = ok(bench_path, "add", str(source))
    assert result["commit"] is None
    assert result["unchanged"] == ["notes.md"]
    assert rev(bench_path, "main") == main


def test_add_updates_a_file_that_exists(bench_path: Path, work_dir: Path) -> None:
    source = _write(work_dir / "notes.md", "new\n")
    result = ok(bench_path, "add", str(source))
    assert [e["path"] for e in result["updated"]] == ["notes.md"]
    assert show_blob(bench_path, "main", "notes.md") == b"new\n"
    assert (bench_path / "notes.md").read_bytes() == b"new\n"


# --- refusals: SANDBOX_VIOLATION and nothing changes --------------------------------------


def test_add_refuses_a_symlink(bench_path: Path, work_dir: Path) -> None:
    target = _write(work_dir / "real.md", "real\n")
    (work_dir / "link.md").symlink_to(target)
    refused(
        bench_path,
        "add",
        str(work_dir / "link.md"),
        code=ErrorCode.SANDBOX_VIOLATION,
        phase="validating",
        also=(work_dir,),
    )


def test_add_refuses_a_symlink_inside_a_directory(bench_path: Path, work_dir: Path) -> None:
    _write(work_dir / "dir" / "good.md", "good\n")
    (work_dir / "dir" / "escape").symlink_to("/etc")
    refused(
        bench_path,
        "add",
        str(work_dir / "dir"),
        code=ErrorCode.SANDBOX_VIOLATION,
        phase="validating",
        also=(work_dir,),
    )


def test_add_refuses_a_fifo(bench_path: Path, work_dir: Path) -> None:
    os.mkfifo(work_dir / "pipe")
    refused(
        bench_path,
        "add",
        str(work_dir / "pipe"),
        code=ErrorCode.SANDBOX_VIOLATION,
        phase="validating",
        also=(work_dir,),
    )


@pytest.mark.parametrize(
    "name",
    ["../x", ".git/x", "a\\b", "/abs.md", "x/../../y", "CON", "trailing.", "a//b", ".GIT/hooks/x"],
)
def test_add_refuses_an_unsafe_as_name(bench_path: Path, work_dir: Path, name: str) -> None:
    source = _write(work_dir / "f.md", "f\n")
    error = refused(
        bench_path,
        "add",
        str(source),
        "--as",
        name,
        code=ErrorCode.SANDBOX_VIOLATION,
        phase="validating",
        also=(work_dir,),
    )
    assert error["detail"]["path"] == name
    assert not (work_dir.parent / "x").exists()


def test_add_refuses_a_case_insensitive_collision(bench_path: Path, work_dir: Path) -> None:
    source = _write(work_dir / "NOTES.md", "shouting\n")
    refused(
        bench_path,
        "add",
        str(source),
        code=ErrorCode.SANDBOX_VIOLATION,
        phase="validating",
        also=(work_dir,),
    )


def test_add_refuses_a_collision_within_the_batch(bench_path: Path, work_dir: Path) -> None:
    _write(work_dir / "dir" / "Readme.md", "a\n")
    _write(work_dir / "dir" / "README.md", "b\n")
    refused(
        bench_path,
        "add",
        str(work_dir / "dir"),
        code=ErrorCode.SANDBOX_VIOLATION,
        phase="validating",
    )


def test_add_refuses_a_unicode_normalization_collision(tmp_path: Path, work_dir: Path) -> None:
    composed = unicodedata.normalize("NFC", "café.md")
    decomposed = unicodedata.normalize("NFD", "café.md")
    root = make_bench(tmp_path / "bench", {composed: "one\n"})
    source = _write(work_dir / decomposed, "two\n")
    refused(root, "add", str(source), code=ErrorCode.SANDBOX_VIOLATION, phase="validating")


def test_add_refuses_a_file_where_a_directory_exists(bench_path: Path, work_dir: Path) -> None:
    source = _write(work_dir / "docs", "i am a file\n")
    refused(
        bench_path,
        "add",
        str(source),
        code=ErrorCode.SANDBOX_VIOLATION,
        phase="validating",
        also=(work_dir,),
    )


def test_add_refuses_a_directory_where_a_file_exists(bench_path: Path, work_dir: Path) -> None:
    _write(work_dir / "notes.md" / "inner.md", "x\n")
    refused(
        bench_path,
        "add",
        str(work_dir / "notes.md"),
        code=ErrorCode.SANDBOX_VIOLATION,
        phase="validating",
        also=(work_dir,),
    )


def test_add_refuses_the_whole_batch_for_one_bad_file(bench_path: Path, work_dir: Path) -> None:
    good = _write(work_dir / "good.md", "good\n")
    also_good = _write(work_dir / "dir" / "fine.md", "fine\n")
    (work_dir / "dir" / "bad.md").symlink_to(good)
    refused(
        bench_path,
        "add",
        str(good),
        str(work_dir / "dir"),
        code=ErrorCode.SANDBOX_VIOLATION,
        phase="validating",
        also=(work_dir,),
    )
    assert also_good.exists()
    assert "good.md" not in tree_paths(bench_path, "main")


def test_add_refuses_the_git_directory(bench_path: Path) -> None:
    refused(bench_path, "add", ".git", code=ErrorCode.SANDBOX_VIOLATION, phase="validating")
    refused(bench_path, "add", ".git/config", code=ErrorCode.SANDBOX_VIOLATION, phase="validating")


def test_add_refuses_a_missing_source(bench_path: Path, work_dir: Path) -> None:
    refused(
        bench_path,
        "add",
        str(work_dir / "nope.md"),
        code=ErrorCode.NOT_FOUND,
        phase="validating",
    )


# --- limits ---------------------------------------------------------------------------------


def test_add_skips_and_reports_a_file_over_the_size_limit(bench_path: Path, work_dir: Path) -> None:
    ok(bench_path, "config", "set", "limits.max_file_bytes", "10")
    big = _write(work_dir / "in" / "big.md", "x" * 11)
    _write(work_dir / "in" / "small.md", "y" * 10)
    result = ok(bench_path, "add", str(work_dir / "in"))
    assert result["skipped"] == [
        {"path": "in/big.md", "reason": result["skipped"][0]["reason"], "size": 11}
    ]
    assert "limits.max_file_bytes" in result["skipped"][0]["reason"]
    assert [e["path"] for e in result["added"]] == ["in/small.md"]
    paths = tree_paths(bench_path, "main")
    assert "in/small.md" in paths
    assert "in/big.md" not in paths
    assert big.exists()


def test_add_of_only_oversized_files_makes_no_commit(bench_path: Path, work_dir: Path) -> None:
    ok(bench_path, "config", "set", "limits.max_file_bytes", "10")
    big = _write(work_dir / "big.md", "x" * 11)
    main = rev(bench_path, "main")
    result = ok(bench_path, "add", str(big))
    assert result["commit"] is None
    assert [s["path"] for s in result["skipped"]] == ["big.md"]
    assert rev(bench_path, "main") == main


def test_add_refuses_more_files_than_the_limit(bench_path: Path, work_dir: Path) -> None:
    ok(bench_path, "config", "set", "limits.max_files", "4")
    _write(work_dir / "in" / "a.md", "a\n")
    _write(work_dir / "in" / "b.md", "b\n")
    error = refused(
        bench_path,
        "add",
        str(work_dir / "in"),
        code=ErrorCode.VALIDATION_FAILED,
        phase="validating",
    )
    assert error["detail"]["limit"] == 4
    assert error["detail"]["files"] == 5


def test_add_up_to_the_file_limit_is_accepted(bench_path: Path, work_dir: Path) -> None:
    ok(bench_path, "config", "set", "limits.max_files", "4")
    source = _write(work_dir / "a.md", "a\n")
    ok(bench_path, "add", str(source))
    assert len(tree_paths(bench_path, "main")) == 4


# --- the draft gate -------------------------------------------------------------------------


def test_add_refuses_while_a_draft_exists(tmp_path: Path, work_dir: Path) -> None:
    root = make_bench(tmp_path / "bench", {"a.md": "a\n"}, draft={"a.md": "b\n"})
    source = _write(work_dir / "new.md", "new\n")
    error = refused(
        root, "add", str(source), code=ErrorCode.DRAFT_EXISTS, phase="gate", also=(work_dir,)
    )
    assert actions(error) == ["review_draft", "publish_draft", "discard_draft"]
    assert error["actions"][0]["command"].startswith("gitbench ")


def test_add_checks_the_draft_gate_before_the_sources(tmp_path: Path, work_dir: Path) -> None:
    root = make_bench(tmp_path / "bench", {"a.md": "a\n"}, draft={"a.md": "b\n"})
    refused(root, "add", str(work_dir / "missing.md"), code=ErrorCode.DRAFT_EXISTS, phase="gate")


# --- the working tree -----------------------------------------------------------------------


def test_add_refuses_to_overwrite_an_untracked_local_file(bench_path: Path, work_dir: Path) -> None:
    _write(bench_path / "report.md", "mine, not published\n")
    source = _write(work_dir / "report.md", "theirs\n")
    refused(
        bench_path,
        "add",
        str(source),
        code=ErrorCode.WORKTREE_DIRTY,
        phase="worktree_check",
        also=(work_dir,),
    )


def test_add_refuses_to_overwrite_a_locally_modified_file(bench_path: Path, work_dir: Path) -> None:
    _write(bench_path / "notes.md", "local edit\n")
    source = _write(work_dir / "notes.md", "incoming\n")
    error = refused(
        bench_path,
        "add",
        str(source),
        code=ErrorCode.WORKTREE_DIRTY,
        phase="worktree_check",
        also=(work_dir,),
    )
    assert error["detail"]["paths"] == ["notes.md"]


def test_add_keeps_unrelated_local_changes(bench_path: Path, work_dir: Path) -> None:
    # Not the same size as the committed file: an edit of the same size in the same second as
    # the index write is invisible to git's stat check ("racy git"), whatever wrote the index.
    _write(bench_path / "notes.md", "a local edit\n")
    source = _write(work_dir / "other.md", "other\n")
    ok(bench_path, "add", str(source))
    assert (bench_path / "notes.md").read_bytes() == b"a local edit\n"
    assert (bench_path / "other.md").read_bytes() == b"other\n"
    assert porcelain(bench_path) == " M notes.md"


def test_add_refuses_when_a_local_directory_is_in_the_way(bench_path: Path, work_dir: Path) -> None:
    _write(bench_path / "report.md" / "mine.txt", "mine\n")
    source = _write(work_dir / "report.md", "incoming\n")
    refused(bench_path, "add", str(source), code=ErrorCode.WORKTREE_DIRTY, phase="worktree_check")


def test_add_refuses_when_a_local_file_is_in_the_way(bench_path: Path, work_dir: Path) -> None:
    _write(bench_path / "sub", "mine\n")
    _write(work_dir / "sub" / "a.md", "incoming\n")
    refused(
        bench_path,
        "add",
        str(work_dir / "sub"),
        code=ErrorCode.WORKTREE_DIRTY,
        phase="worktree_check",
    )


def test_add_refuses_a_file_name_that_is_not_utf8(bench_path: Path, work_dir: Path) -> None:
    source = work_dir / "in"
    source.mkdir()
    (source / "fine.md").write_text("fine\n")
    (Path(os.fsdecode(os.fsencode(source) + b"/caf\xe9.md"))).write_bytes(b"x\n")
    refused(
        bench_path,
        "add",
        str(source),
        code=ErrorCode.SANDBOX_VIOLATION,
        phase="validating",
        also=(work_dir,),
    )


def test_add_keeps_the_executable_bit_and_put_preserves_it(
    bench_path: Path, work_dir: Path
) -> None:
    script = _write(work_dir / "run.sh", "#!/bin/sh\necho hi\n")
    script.chmod(0o755)
    ok(bench_path, "add", str(script))
    assert git("ls-tree", "main", "run.sh", cwd=bench_path).startswith("100755 ")
    assert os.access(bench_path / "run.sh", os.X_OK)
    ok(bench_path, "put", "run.sh", input=b"#!/bin/sh\necho bye\n")
    assert git("ls-tree", "draft", "run.sh", cwd=bench_path).startswith("100755 ")
    ok(bench_path, "discard", "--yes")
    script.chmod(0o644)  # the same bytes, no longer executable: add records the change
    ok(bench_path, "add", str(script))
    assert git("ls-tree", "main", "run.sh", cwd=bench_path).startswith("100644 ")
