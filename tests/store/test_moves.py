"""Moving the checked-out branch brings its files along, and never clobbers local changes."""

from __future__ import annotations

from pathlib import Path

import pytest

from gitbench.errors import ErrorCode, GitbenchError
from gitbench.store import moves, objects, refs
from gitbench.store.repo import Workbench
from gitbench.store.types import DRAFT, MAIN, ObjectId, RefUpdate
from tests.support.gitcli import all_refs, git


def _main_with(wb: Workbench, changes: dict[str, bytes | None]) -> tuple[ObjectId, ObjectId]:
    main = refs.read_ref(wb, MAIN)
    assert main is not None
    blobs = {
        p: None if data is None else objects.write_blob(wb, data) for p, data in changes.items()
    }
    tree = objects.build_tree(wb, objects.commit_info(wb, main).tree, blobs)
    return main, objects.create_commit(wb, tree, [main], "change")


def test_moving_main_updates_clean_files_and_keeps_unrelated_local_changes(
    wb: Workbench, bench_path: Path
) -> None:
    (bench_path / "docs" / "guide.md").write_text("# Guide, edited locally\n")
    main, new = _main_with(wb, {"notes.md": b"gamma\n", "data.bin": None, "new/file.txt": b"n\n"})
    moves.move_refs(wb, [RefUpdate(MAIN, main, new)], "gitbench: test")
    assert (bench_path / "notes.md").read_bytes() == b"gamma\n"
    assert not (bench_path / "data.bin").exists()
    assert (bench_path / "new" / "file.txt").read_bytes() == b"n\n"
    assert (bench_path / "docs" / "guide.md").read_text() == "# Guide, edited locally\n"
    assert git("status", "--porcelain", cwd=bench_path) == " M docs/guide.md"


@pytest.mark.parametrize(
    "local",
    [
        {"notes.md": b"my edit\n"},  # modified, and the move changes it
        {"new.txt": b"mine\n"},  # untracked, and the move adds a different file there
    ],
)
def test_a_local_change_the_move_would_overwrite_is_refused_before_any_ref_moves(
    wb: Workbench, bench_path: Path, local: dict[str, bytes]
) -> None:
    for path, data in local.items():
        (bench_path / path).write_bytes(data)
    main, new = _main_with(wb, {"notes.md": b"theirs\n", "new.txt": b"theirs\n"})
    before = all_refs(bench_path)
    with pytest.raises(GitbenchError) as caught:
        moves.move_refs(wb, [RefUpdate(MAIN, main, new)], "gitbench: test")
    assert caught.value.code is ErrorCode.WORKTREE_DIRTY
    assert caught.value.phase == "worktree_check"
    assert caught.value.detail["paths"] == list(local)
    assert all_refs(bench_path) == before
    for path, data in local.items():
        assert (bench_path / path).read_bytes() == data


def test_a_file_already_holding_the_new_content_is_not_a_conflict(
    wb: Workbench, bench_path: Path
) -> None:
    (bench_path / "same.txt").write_bytes(b"same\n")
    main, new = _main_with(wb, {"same.txt": b"same\n"})
    moves.move_refs(wb, [RefUpdate(MAIN, main, new)], "gitbench: test")
    assert git("status", "--porcelain", cwd=bench_path) == ""


def test_a_file_already_holding_the_new_content_gets_its_stat_data_in_the_index(
    wb: Workbench, bench_path: Path
) -> None:
    # The index entry is written from the stat taken before the file was hashed (issue 8), so
    # git sees the file as unchanged without hashing it again: diff-files compares stat data
    # only and never refreshes the index.
    (bench_path / "same.txt").write_bytes(b"same\n")
    main, new = _main_with(wb, {"same.txt": b"same\n"})
    moves.move_refs(wb, [RefUpdate(MAIN, main, new)], "gitbench: test")
    assert git("diff-files", "--name-only", cwd=bench_path) == ""
    debug = git("ls-files", "--debug", "same.txt", cwd=bench_path)
    info = (bench_path / "same.txt").stat()
    assert f"mtime: {info.st_mtime_ns // 10**9}:{info.st_mtime_ns % 10**9}" in debug
    assert f"ino: {info.st_ino}" in debug
    assert "size: 5" in debug


def test_a_lost_race_puts_the_working_tree_back(wb: Workbench, bench_path: Path) -> None:
    main, new = _main_with(wb, {"notes.md": b"ours\n"})
    _, theirs = _main_with(wb, {"other.txt": b"x\n"})
    git("update-ref", "refs/heads/main", theirs, main, cwd=bench_path)  # another writer wins
    git("checkout", "-q", "main", "--", "other.txt", cwd=bench_path)
    with pytest.raises(GitbenchError) as caught:
        moves.move_refs(wb, [RefUpdate(MAIN, main, new)], "gitbench: test")
    assert caught.value.code is ErrorCode.CONCURRENT_UPDATE
    assert (bench_path / "notes.md").read_bytes() == b"alpha\nbeta\n"
    assert git("rev-parse", "main", cwd=bench_path) == theirs


def test_switch_branch_checks_out_the_other_tree(wb: Workbench, bench_path: Path) -> None:
    main, new = _main_with(wb, {"notes.md": b"draft\n"})
    git("update-ref", "refs/heads/draft", new, cwd=bench_path)
    moves.switch_branch(wb, DRAFT)
    assert git("symbolic-ref", "HEAD", cwd=bench_path) == "refs/heads/draft"
    assert (bench_path / "notes.md").read_bytes() == b"draft\n"
    assert git("status", "--porcelain", cwd=bench_path) == ""
    moves.switch_branch(wb, MAIN)
    assert (bench_path / "notes.md").read_bytes() == b"alpha\nbeta\n"
    assert main == git("rev-parse", "HEAD", cwd=bench_path)
