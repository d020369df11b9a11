"""gitbench discard: delete the draft, keeping its tip recoverable; --undo brings it back."""

from __future__ import annotations

from pathlib import Path

import pytest

from gitbench.clock import FixedClock
from gitbench.errors import ErrorCode
from tests.cli.common import actions, ok, porcelain, refused, refused_human
from tests.support.benches import commit_on_branch, make_bench
from tests.support.gitcli import git, rev


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return make_bench(tmp_path / "bench", {"a.md": "a\n"}, draft={"a.md": "b\n", "c.md": "c\n"})


def discarded(root: Path) -> dict[str, str]:
    out = git(
        "for-each-ref", "--format=%(refname) %(objectname)", "refs/gitbench/discarded/", cwd=root
    )
    return dict(line.split(" ", 1) for line in out.splitlines())


def test_discard_deletes_the_draft_and_saves_its_tip(root: Path, clock: FixedClock) -> None:
    tip, main = rev(root, "draft"), rev(root, "main")
    result = ok(root, "discard", "--yes", clock=clock)
    assert rev(root, "draft") is None
    assert rev(root, "main") == main
    assert discarded(root) == {result["saved_as"]: tip}
    assert result["saved_as"] == "refs/gitbench/discarded/20260102T030405Z"
    assert result["tip"] == tip


def test_discard_leaves_the_working_tree_alone(root: Path) -> None:
    (root / "a.md").write_text("local\n")
    ok(root, "discard", "--yes")
    assert (root / "a.md").read_text() == "local\n"
    assert porcelain(root) == " M a.md"


def test_discard_twice_in_the_same_second_keeps_both(root: Path, clock: FixedClock) -> None:
    first = ok(root, "discard", "--yes", clock=clock)
    commit_on_branch(root, "draft", {"z.md": "z\n"}, "again")
    second = ok(root, "discard", "--yes", clock=clock)
    assert first["saved_as"] != second["saved_as"]
    assert len(discarded(root)) == 2


def test_discard_undo_brings_the_draft_back(root: Path) -> None:
    tip = rev(root, "draft")
    saved = ok(root, "discard", "--yes")["saved_as"]
    result = ok(root, "discard", "--undo")
    assert rev(root, "draft") == tip
    assert result == {"tip": tip, "restored_from": saved}
    assert discarded(root) == {}


def test_discard_undo_brings_back_the_most_recent(root: Path, clock: FixedClock) -> None:
    ok(root, "discard", "--yes", clock=clock)
    newer = commit_on_branch(root, "draft", {"z.md": "z\n"}, "newer")
    clock.advance(60)
    ok(root, "discard", "--yes", clock=clock)
    ok(root, "discard", "--undo", clock=clock)
    assert rev(root, "draft") == newer
    assert len(discarded(root)) == 1


def test_discard_undo_is_refused_when_main_moved(root: Path) -> None:
    ok(root, "discard", "--yes")
    commit_on_branch(root, "main", {"moved.md": "m\n"}, "main moved")
    error = refused(
        root, "discard", "--undo", code=ErrorCode.CONFLICT_PUBLISHED_CHANGED, phase="conflict_check"
    )
    assert "discard_draft" in actions(error)
    assert len(discarded(root)) == 1


def test_discard_undo_is_refused_while_a_draft_exists(root: Path) -> None:
    ok(root, "discard", "--yes")
    commit_on_branch(root, "draft", {"z.md": "z\n"}, "a new draft")
    refused(root, "discard", "--undo", code=ErrorCode.DRAFT_EXISTS, phase="gate")


def test_discard_undo_without_a_discarded_draft_is_refused(bench_path: Path) -> None:
    refused(bench_path, "discard", "--undo", code=ErrorCode.NOT_FOUND, phase="undo")


def test_discard_without_a_draft_is_refused(bench_path: Path) -> None:
    refused(bench_path, "discard", "--yes", code=ErrorCode.NO_DRAFT, phase="validating")


def test_discard_without_yes_is_canceled_when_not_interactive(root: Path) -> None:
    refused(root, "discard", code=ErrorCode.USER_CANCELED, phase="confirm")
    assert rev(root, "draft") is not None


def test_discard_without_yes_in_human_mode_is_canceled(root: Path) -> None:
    refused_human(root, "discard", input="y\n", code=ErrorCode.USER_CANCELED, phase="confirm")


def test_discard_while_the_draft_is_checked_out_switches_to_main(root: Path) -> None:
    git("switch", "-q", "draft", cwd=root)
    ok(root, "discard", "--yes")
    assert git("symbolic-ref", "HEAD", cwd=root) == "refs/heads/main"
    assert (root / "a.md").read_text() == "a\n"
    assert not (root / "c.md").exists()
    assert porcelain(root) == ""


def test_discard_then_publish_is_refused(root: Path) -> None:
    ok(root, "discard", "--yes")
    refused(root, "publish", "--yes", code=ErrorCode.NO_DRAFT, phase="validating")


def test_discard_refuses_to_drop_a_local_edit_of_the_checked_out_draft(root: Path) -> None:
    git("switch", "-q", "draft", cwd=root)
    (root / "c.md").write_text("edited on the draft, not committed\n")
    refused(root, "discard", "--yes", code=ErrorCode.WORKTREE_DIRTY, phase="worktree_check")
