"""gitbench checkpoint create | list | show | restore, and the retention policy."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gitbench.clock import FixedClock
from gitbench.errors import ErrorCode
from tests.cli.common import actions, error_document, ok, porcelain, refused, snapshot, tree_paths
from tests.support.benches import commit_on_branch, make_bench
from tests.support.cli import run
from tests.support.gitcli import git, rev


def tags(root: Path) -> list[str]:
    out = git("tag", "-l", "checkpoint/*", cwd=root)
    return out.splitlines() if out else []


def commit_with_git(root: Path, files: dict[str, str | None], message: str) -> str:
    """A person's commit on main made with plain git in the working tree (no hooks here)."""
    for path, content in files.items():
        if content is None:
            git("rm", "-q", path, cwd=root)
        else:
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_text(content)
            git("add", path, cwd=root)
    git("commit", "-q", "-m", message, cwd=root)
    return git("rev-parse", "main", cwd=root)


def test_checkpoint_create_tags_main(bench_path: Path, clock: FixedClock) -> None:
    result = ok(bench_path, "checkpoint", "create", "-m", "before the big edit", clock=clock)
    checkpoint = result["checkpoint"]
    assert checkpoint["id"] == "20260102T030405Z-manual"
    assert checkpoint["reason"] == "manual"
    assert checkpoint["description"] == "before the big edit"
    assert checkpoint["commit"] == rev(bench_path, "main")
    assert checkpoint["files"] == 3
    assert result["pruned"] == []
    assert tags(bench_path) == ["checkpoint/20260102T030405Z-manual"]
    tag = "refs/tags/checkpoint/20260102T030405Z-manual"
    assert git("cat-file", "-t", tag, cwd=bench_path) == "tag"
    message = git("cat-file", "tag", tag, cwd=bench_path).partition("\n\n")[2]
    meta = json.loads(message)
    assert meta["description"] == "before the big edit"
    assert meta["reason"] == "manual"


def test_checkpoint_create_twice_in_the_same_second_gets_distinct_ids(
    bench_path: Path, clock: FixedClock
) -> None:
    first = ok(bench_path, "checkpoint", "create", clock=clock)["checkpoint"]["id"]
    second = ok(bench_path, "checkpoint", "create", clock=clock)["checkpoint"]["id"]
    assert first != second
    assert second == f"{first}-2"
    assert len(tags(bench_path)) == 2


def test_checkpoint_create_changes_no_branch(bench_path: Path) -> None:
    main = rev(bench_path, "main")
    ok(bench_path, "checkpoint", "create")
    assert rev(bench_path, "main") == main
    assert porcelain(bench_path) == ""


def test_checkpoint_list_is_oldest_first(bench_path: Path, clock: FixedClock) -> None:
    ids = []
    for label in ("first", "second", "third"):
        ids.append(
            ok(bench_path, "checkpoint", "create", "-m", label, clock=clock)["checkpoint"]["id"]
        )
        clock.advance(3600)
    listed = ok(bench_path, "checkpoint", "list", clock=clock)["checkpoints"]
    assert [c["id"] for c in listed] == ids
    assert [c["description"] for c in listed] == ["first", "second", "third"]


def test_checkpoint_list_when_there_are_none(bench_path: Path) -> None:
    assert ok(bench_path, "checkpoint", "list")["checkpoints"] == []


def test_checkpoint_list_describes_a_tag_made_by_hand(bench_path: Path) -> None:
    git("tag", "checkpoint/by-hand", "main", cwd=bench_path)
    [listed] = ok(bench_path, "checkpoint", "list")["checkpoints"]
    assert listed["id"] == "by-hand"
    assert listed["commit"] == rev(bench_path, "main")


def test_checkpoint_show_gives_the_details(bench_path: Path, clock: FixedClock) -> None:
    created = ok(bench_path, "checkpoint", "create", "-m", "mark", clock=clock)["checkpoint"]
    assert ok(bench_path, "checkpoint", "show", created["id"]) == created
    assert ok(bench_path, "checkpoint", "show", f"checkpoint/{created['id']}") == created


def test_checkpoint_show_of_an_unknown_id_is_refused(bench_path: Path) -> None:
    error = refused(
        bench_path, "checkpoint", "show", "nope", code=ErrorCode.NOT_FOUND, phase="lookup"
    )
    assert actions(error) == ["restore_checkpoint"]


def test_checkpoint_show_refuses_a_path_outside_the_checkpoints(bench_path: Path) -> None:
    refused(
        bench_path,
        "checkpoint",
        "show",
        "../../heads/main",
        code=ErrorCode.NOT_FOUND,
        phase="lookup",
    )


# --- restore --------------------------------------------------------------------------------


@pytest.fixture
def restorable(bench_path: Path, clock: FixedClock) -> tuple[Path, str, str]:
    """A checkpoint, then main moved on by two commits (an edit, an addition, a removal)."""
    checkpoint = ok(bench_path, "checkpoint", "create", "-m", "good", clock=clock)["checkpoint"]
    commit_with_git(bench_path, {"notes.md": "rewritten\n", "later.md": "later\n"}, "edit")
    old_main = commit_with_git(bench_path, {"data.bin": None}, "remove data")
    clock.advance(60)
    return bench_path, checkpoint["id"], old_main


def test_restore_makes_a_new_commit_with_the_checkpoints_tree(
    restorable: tuple[Path, str, str], clock: FixedClock
) -> None:
    root, checkpoint_id, old_main = restorable
    result = ok(root, "checkpoint", "restore", checkpoint_id, clock=clock)
    assert rev(root, "main") == result["commit"]
    assert git("rev-parse", "main^{tree}", cwd=root) == git(
        "rev-parse", f"checkpoint/{checkpoint_id}^{{tree}}", cwd=root
    )
    assert git("rev-parse", "main^", cwd=root) == old_main
    assert git("rev-list", "--count", f"{old_main}..main", cwd=root) == "1"
    assert result["files_changed"] == 3


def test_restore_takes_a_pre_restore_checkpoint_of_the_old_main(
    restorable: tuple[Path, str, str], clock: FixedClock
) -> None:
    root, checkpoint_id, old_main = restorable
    result = ok(root, "checkpoint", "restore", checkpoint_id, clock=clock)
    pre = result["pre_restore"]
    assert pre["reason"] == "pre_restore"
    assert pre["commit"] == old_main
    assert git("rev-parse", f"checkpoint/{pre['id']}^{{commit}}", cwd=root) == old_main
    assert sorted(tags(root)) == sorted([f"checkpoint/{checkpoint_id}", f"checkpoint/{pre['id']}"])


def test_restore_updates_the_working_tree(restorable: tuple[Path, str, str]) -> None:
    root, checkpoint_id, _ = restorable
    ok(root, "checkpoint", "restore", checkpoint_id)
    assert (root / "notes.md").read_text() == "alpha\nbeta\n"
    assert (root / "data.bin").read_bytes() == b"\x00\x01\x02"
    assert not (root / "later.md").exists()
    assert porcelain(root) == ""


def test_restore_can_be_undone_with_the_pre_restore_checkpoint(
    restorable: tuple[Path, str, str], clock: FixedClock
) -> None:
    root, checkpoint_id, old_main = restorable
    pre = ok(root, "checkpoint", "restore", checkpoint_id, clock=clock)["pre_restore"]
    clock.advance(60)
    ok(root, "checkpoint", "restore", pre["id"], clock=clock)
    assert git("rev-parse", "main^{tree}", cwd=root) == git(
        "rev-parse", f"{old_main}^{{tree}}", cwd=root
    )
    assert sorted(tree_paths(root, "main")) == ["docs/guide.md", "later.md", "notes.md"]


def test_restore_of_the_current_tree_changes_nothing(bench_path: Path) -> None:
    checkpoint_id = ok(bench_path, "checkpoint", "create")["checkpoint"]["id"]
    main = rev(bench_path, "main")
    result = ok(bench_path, "checkpoint", "restore", checkpoint_id)
    assert result["commit"] is None
    assert result["pre_restore"] is None
    assert rev(bench_path, "main") == main
    assert len(tags(bench_path)) == 1


def test_restore_is_refused_while_a_draft_exists(restorable: tuple[Path, str, str]) -> None:
    root, checkpoint_id, _ = restorable
    commit_on_branch(root, "draft", {"d.md": "d\n"}, "draft")
    error = refused(
        root, "checkpoint", "restore", checkpoint_id, code=ErrorCode.DRAFT_EXISTS, phase="gate"
    )
    assert actions(error) == ["review_draft", "publish_draft", "discard_draft"]


def test_restore_of_an_unknown_checkpoint_is_refused(bench_path: Path) -> None:
    refused(bench_path, "checkpoint", "restore", "nope", code=ErrorCode.NOT_FOUND, phase="lookup")


def test_restore_refuses_to_overwrite_a_local_edit(restorable: tuple[Path, str, str]) -> None:
    root, checkpoint_id, _ = restorable
    (root / "notes.md").write_text("unsaved\n")
    refused(
        root,
        "checkpoint",
        "restore",
        checkpoint_id,
        code=ErrorCode.WORKTREE_DIRTY,
        phase="worktree_check",
    )


def test_restore_human_output_names_the_undo(restorable: tuple[Path, str, str]) -> None:
    root, checkpoint_id, _ = restorable
    result = run(root, "checkpoint", "restore", checkpoint_id)
    assert result.exit_code == 0
    assert "gitbench checkpoint restore" in result.stdout


# --- retention ------------------------------------------------------------------------------


def test_retention_keeps_the_newest_manual_checkpoints(bench_path: Path, clock: FixedClock) -> None:
    ok(bench_path, "config", "set", "retention.manual", "2")
    ids = []
    for _ in range(4):
        ids.append(ok(bench_path, "checkpoint", "create", clock=clock)["checkpoint"]["id"])
        clock.advance(60)
    assert sorted(tags(bench_path)) == sorted(f"checkpoint/{i}" for i in ids[2:])
    listed = [c["id"] for c in ok(bench_path, "checkpoint", "list")["checkpoints"]]
    assert listed == ids[2:]


def test_retention_reports_what_it_pruned(bench_path: Path, clock: FixedClock) -> None:
    ok(bench_path, "config", "set", "retention.manual", "1")
    first = ok(bench_path, "checkpoint", "create", clock=clock)["checkpoint"]["id"]
    clock.advance(1)
    result = ok(bench_path, "checkpoint", "create", clock=clock)
    assert result["pruned"] == [first]


def test_retention_within_one_second_keeps_the_newest(bench_path: Path, clock: FixedClock) -> None:
    ok(bench_path, "config", "set", "retention.manual", "2")
    ids = [
        ok(bench_path, "checkpoint", "create", clock=clock)["checkpoint"]["id"] for _ in range(4)
    ]
    assert len(set(ids)) == 4
    assert sorted(tags(bench_path)) == sorted(f"checkpoint/{i}" for i in ids[2:])


def test_checkpoint_list_is_oldest_first_for_more_than_nine_in_one_second(
    bench_path: Path, clock: FixedClock
) -> None:
    ids = [
        ok(bench_path, "checkpoint", "create", clock=clock)["checkpoint"]["id"] for _ in range(11)
    ]
    listed = [c["id"] for c in ok(bench_path, "checkpoint", "list")["checkpoints"]]
    assert listed == ids


def test_retention_never_prunes_publish_or_pre_restore_checkpoints(
    tmp_path: Path, clock: FixedClock
) -> None:
    root = make_bench(tmp_path / "bench", {"a.md": "a\n"}, draft={"a.md": "b\n"})
    ok(root, "config", "set", "retention.manual", "2")
    publish = ok(root, "publish", clock=clock)["checkpoint"]["id"]
    clock.advance(60)
    pre = ok(root, "checkpoint", "restore", publish, clock=clock)["pre_restore"]["id"]
    manual = []
    for _ in range(4):
        clock.advance(60)
        manual.append(ok(root, "checkpoint", "create", clock=clock)["checkpoint"]["id"])
    assert sorted(tags(root)) == sorted(f"checkpoint/{i}" for i in [publish, pre, *manual[2:]])
    reasons = [c["reason"] for c in ok(root, "checkpoint", "list")["checkpoints"]]
    assert reasons == ["publish", "pre_restore", "manual", "manual"]


def test_retention_zero_keeps_no_manual_checkpoint(bench_path: Path) -> None:
    ok(bench_path, "config", "set", "retention.manual", "0")
    result = ok(bench_path, "checkpoint", "create")
    assert result["pruned"] == [result["checkpoint"]["id"]]
    assert tags(bench_path) == []


def test_restore_of_a_checkpoint_that_is_not_a_commit_is_refused(bench_path: Path) -> None:
    blob = git("rev-parse", "main:notes.md", cwd=bench_path)
    git("tag", "-a", "-m", "odd", "checkpoint/odd", blob, cwd=bench_path)
    before = snapshot(bench_path)
    result = run(bench_path, "--json", "checkpoint", "restore", "odd")
    error = error_document(result)
    assert error["code"] in {"NOT_FOUND", "VALIDATION_FAILED", "CHECKPOINT_RESTORE_FAILED"}
    assert snapshot(bench_path) == before
