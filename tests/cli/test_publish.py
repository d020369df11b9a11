"""gitbench publish: fast-forward main to the draft after a `publish` checkpoint of old main."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from gitbench.clock import FixedClock
from gitbench.errors import ErrorCode
from tests.cli.common import (
    actions,
    is_ancestor,
    ok,
    porcelain,
    refused,
    refused_human,
    show_blob,
    tree_paths,
)
from tests.support.benches import commit_on_branch, make_bench
from tests.support.cli import run
from tests.support.gitcli import git, rev

MAIN = {"notes.md": "alpha\nbeta\n", "docs/guide.md": "# Guide\n", "data.bin": b"\x00\x01"}


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A draft that modifies one file and adds another (no deletions)."""
    return make_bench(
        tmp_path / "bench", MAIN, draft={"notes.md": "alpha\nBETA\n", "docs/new.md": "new\n"}
    )


@pytest.fixture
def deleting(tmp_path: Path) -> Path:
    """A draft that deletes two files."""
    return make_bench(tmp_path / "bench", MAIN, draft={"data.bin": None, "notes.md": None})


def checkpoint_tags(root: Path) -> list[str]:
    out = git("tag", "-l", "checkpoint/*", cwd=root)
    return out.splitlines() if out else []


def tag_message(root: Path, tag: str) -> dict[str, Any]:
    raw = git("cat-file", "tag", f"refs/tags/{tag}", cwd=root)
    headers, _, message = raw.partition("\n\n")
    assert "type commit" in headers
    meta: dict[str, Any] = json.loads(message)
    return meta


def test_publish_fast_forwards_main_to_the_draft(root: Path) -> None:
    old_main, tip = rev(root, "main"), rev(root, "draft")
    assert old_main is not None and tip is not None
    result = ok(root, "publish")
    assert rev(root, "main") == tip
    assert is_ancestor(root, old_main, "main")
    assert result["previous"] == old_main
    assert result["published"] == tip
    assert result["files_changed"] == 2
    assert result["deleted"] == []


def test_publish_deletes_the_draft(root: Path) -> None:
    ok(root, "publish")
    assert rev(root, "draft") is None
    assert git("branch", "--list", "draft", cwd=root) == ""


def test_publish_creates_a_checkpoint_of_the_old_main(root: Path, clock: FixedClock) -> None:
    old_main = rev(root, "main")
    result = ok(root, "publish", clock=clock)
    checkpoint = result["checkpoint"]
    assert checkpoint_tags(root) == [f"checkpoint/{checkpoint['id']}"]
    assert checkpoint["id"] == "20260102T030405Z-publish"
    assert git("cat-file", "-t", f"refs/tags/checkpoint/{checkpoint['id']}", cwd=root) == "tag"
    assert git("rev-parse", f"checkpoint/{checkpoint['id']}^{{commit}}", cwd=root) == old_main
    meta = tag_message(root, f"checkpoint/{checkpoint['id']}")
    assert meta["reason"] == "publish"
    assert meta["created_at"] == "2026-01-02T03:04:05Z"
    assert meta["files"] == 3
    assert meta["bytes"] == len("alpha\nbeta\n") + len("# Guide\n") + 2
    assert checkpoint["commit"] == old_main


def test_publish_message_lands_in_the_checkpoint_description(root: Path) -> None:
    result = ok(root, "publish", "-m", "Approved by legal")
    tag = f"checkpoint/{result['checkpoint']['id']}"
    assert tag_message(root, tag)["description"] == "Approved by legal"
    assert result["checkpoint"]["description"] == "Approved by legal"
    shown = ok(root, "checkpoint", "show", result["checkpoint"]["id"])
    assert shown["description"] == "Approved by legal"


def test_publish_updates_the_working_tree(root: Path) -> None:
    ok(root, "publish")
    assert porcelain(root) == ""
    assert (
        (root / "notes.md").read_bytes() == show_blob(root, "main", "notes.md") == b"alpha\nBETA\n"
    )
    assert (root / "docs" / "new.md").read_bytes() == b"new\n"
    assert git("symbolic-ref", "HEAD", cwd=root) == "refs/heads/main"


def test_publish_keeps_unrelated_local_changes(root: Path) -> None:
    (root / "docs" / "guide.md").write_text("my local edit\n")
    ok(root, "publish")
    assert (root / "docs" / "guide.md").read_text() == "my local edit\n"
    assert porcelain(root) == " M docs/guide.md"


def test_publish_leaves_a_file_that_already_holds_the_new_content(root: Path) -> None:
    (root / "docs" / "new.md").write_text("new\n")
    ok(root, "publish")
    assert porcelain(root) == ""


def test_publish_without_a_draft_is_refused(bench_path: Path) -> None:
    refused(bench_path, "publish", "--yes", code=ErrorCode.NO_DRAFT, phase="validating")
    assert checkpoint_tags(bench_path) == []


def test_publish_refuses_when_main_moved(root: Path) -> None:
    commit_on_branch(root, "main", {"other.md": "moved\n"}, "main moved with plumbing")
    error = refused(
        root, "publish", "--yes", code=ErrorCode.CONFLICT_PUBLISHED_CHANGED, phase="conflict_check"
    )
    assert actions(error) == ["review_draft", "discard_draft"]
    assert error["detail"]["main"] == rev(root, "main")
    assert error["detail"]["draft"] == rev(root, "draft")
    assert checkpoint_tags(root) == []


def test_publish_refuses_when_main_was_rewound_to_an_unrelated_commit(root: Path) -> None:
    tree = git("rev-parse", "main^{tree}", cwd=root)
    orphan = git("commit-tree", tree, "-m", "unrelated history", cwd=root)
    git("update-ref", "refs/heads/main", orphan, cwd=root)
    refused(
        root, "publish", "--yes", code=ErrorCode.CONFLICT_PUBLISHED_CHANGED, phase="conflict_check"
    )


def test_publish_of_deletions_without_confirmation_is_canceled(deleting: Path) -> None:
    error = refused(deleting, "publish", code=ErrorCode.USER_CANCELED, phase="conflict_check")
    assert error["subphase"] == "confirm_deletions"
    assert sorted(error["detail"]["deleted"]) == ["data.bin", "notes.md"]
    assert actions(error) == ["review_draft"]
    assert checkpoint_tags(deleting) == []


def test_publish_of_deletions_in_human_mode_is_canceled_when_not_interactive(
    deleting: Path,
) -> None:
    result = refused_human(
        deleting, "publish", input="y\n", code=ErrorCode.USER_CANCELED, phase="conflict_check"
    )
    assert "gitbench review" in result.stderr


def test_publish_with_a_partial_confirm_delete_is_refused(deleting: Path) -> None:
    error = refused(
        deleting,
        "publish",
        "--confirm-delete",
        "data.bin",
        code=ErrorCode.USER_CANCELED,
        phase="conflict_check",
    )
    assert sorted(error["detail"]["deleted"]) == ["data.bin", "notes.md"]


def test_publish_with_every_deletion_confirmed(deleting: Path) -> None:
    tip = rev(deleting, "draft")
    result = ok(deleting, "publish", "--confirm-delete", "data.bin", "--confirm-delete", "notes.md")
    assert sorted(result["deleted"]) == ["data.bin", "notes.md"]
    assert rev(deleting, "main") == tip
    assert tree_paths(deleting, "main") == ["docs/guide.md"]
    assert not (deleting / "notes.md").exists()
    assert not (deleting / "data.bin").exists()
    assert porcelain(deleting) == ""


def test_publish_yes_confirms_every_deletion(deleting: Path) -> None:
    tip = rev(deleting, "draft")
    ok(deleting, "publish", "--yes")
    assert rev(deleting, "main") == tip
    assert not (deleting / "notes.md").exists()


def test_publish_refuses_to_overwrite_a_local_edit(root: Path) -> None:
    (root / "notes.md").write_text("unsaved local edit\n")
    error = refused(root, "publish", "--yes", code=ErrorCode.WORKTREE_DIRTY, phase="worktree_check")
    assert error["detail"]["paths"] == ["notes.md"]
    assert (root / "notes.md").read_text() == "unsaved local edit\n"
    assert checkpoint_tags(root) == []


def test_publish_refuses_to_overwrite_an_untracked_file(root: Path) -> None:
    (root / "docs" / "new.md").write_text("someone else's file\n")
    refused(root, "publish", "--yes", code=ErrorCode.WORKTREE_DIRTY, phase="worktree_check")


def test_publish_refuses_to_delete_a_locally_modified_file(deleting: Path) -> None:
    (deleting / "notes.md").write_text("edited, must not vanish\n")
    refused(deleting, "publish", "--yes", code=ErrorCode.WORKTREE_DIRTY, phase="worktree_check")


def test_publish_twice_keeps_two_checkpoints(root: Path, clock: FixedClock) -> None:
    ok(root, "publish", clock=clock)
    ok(root, "put", "third.md", input="3\n", clock=clock)
    clock.advance(60)
    ok(root, "publish", clock=clock)
    assert len(checkpoint_tags(root)) == 2
    assert tree_paths(root, "main") == sorted(
        ["data.bin", "docs/guide.md", "docs/new.md", "notes.md", "third.md"]
    )
    assert (root / "third.md").read_text() == "3\n"


def test_publish_human_output_names_the_undo_command(root: Path) -> None:
    result = run(root, "publish")
    assert result.exit_code == 0
    assert "gitbench checkpoint restore" in result.stdout


def test_publish_while_the_draft_is_checked_out(root: Path) -> None:
    git("switch", "-q", "draft", cwd=root)
    tip = rev(root, "draft")
    ok(root, "publish")
    assert rev(root, "main") == tip
    assert git("symbolic-ref", "HEAD", cwd=root) == "refs/heads/main"
    assert porcelain(root) == ""
    assert (root / "notes.md").read_text() == "alpha\nBETA\n"


def test_publish_refuses_when_a_local_file_is_in_the_way_of_a_new_directory(
    bench_path: Path,
) -> None:
    commit_on_branch(bench_path, "draft", {"newdir/a.md": "a\n"}, "draft")
    (bench_path / "newdir").write_text("my local file\n")
    refused(bench_path, "publish", code=ErrorCode.WORKTREE_DIRTY, phase="worktree_check")


def test_publish_is_recorded_in_the_conversation_with_its_restore_command(bench_path: Path) -> None:
    commit_on_branch(bench_path, "draft", {"notes.md": "new\n"}, "d")
    checkpoint = ok(bench_path, "publish", "--yes")["checkpoint"]["id"]
    (event,) = ok(bench_path, "conversation")["entries"]
    assert event["kind"] == "event" and event["detail"]["checkpoint"] == checkpoint
    assert f"gitbench checkpoint restore {checkpoint}" in event["text"]
