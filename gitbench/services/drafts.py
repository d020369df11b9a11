"""The draft: a person's writes (`put`), discarding it, and undoing a discard.

The draft branch exists only while there is a draft; it is created from the tip of main on the
first write, so publish is always a fast-forward (design.md invariant 3).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from gitbench.clock import from_epoch, iso, stamp
from gitbench.config import setting
from gitbench.errors import Action, ErrorCode, GitbenchError
from gitbench.paths import first_collision, require_valid_path
from gitbench.services import conversation
from gitbench.services.models import (
    DiscardResult,
    DraftSummary,
    PutResult,
    UndoDiscardResult,
    UndoTurnResult,
)
from gitbench.services.session import (
    change,
    refuse_if_main_moved,
    require_draft,
    require_main,
)
from gitbench.services.settings import read_setting
from gitbench.store import diff, moves, objects, refs
from gitbench.store.repo import Workbench
from gitbench.store.types import DISCARDED_PREFIX, DRAFT, MAIN, ObjectId, RefName, RefUpdate


def put_file(wb: Workbench, path: str, content: bytes | None) -> PutResult:
    """Write `content` to `path` in the draft (None deletes it), as one commit."""
    require_valid_path(path)
    with change(wb, "put"):
        verb = "Delete" if content is None else "Write"
        result = commit_to_draft(wb, {path: content}, f"{verb} {path}")
    if result is None:
        return PutResult(path=path, action="unchanged", commit=None, draft_created=False)
    commit, created, before = result
    if content is None:
        return PutResult(path=path, action="deleted", commit=commit, draft_created=created)
    action: Literal["created", "modified"] = "modified" if before.get(path) else "created"
    return PutResult(path=path, action=action, commit=commit, draft_created=created)


def commit_to_draft(
    wb: Workbench, files: Mapping[str, bytes | None], message: str
) -> tuple[ObjectId, bool, dict[str, ObjectId | None]] | None:
    """Commit `files` on top of the draft (creating it from main when absent); the caller holds
    the lock. Returns (commit, draft created, blobs before) or None when nothing changes."""
    main = require_main(wb)
    tip = refs.read_ref(wb, DRAFT)
    parent = tip or main
    parent_tree = objects.commit_info(wb, parent).tree
    before = {p: objects.tree_blob(wb, parent_tree, p) for p in files}
    missing = [p for p, data in files.items() if data is None and before[p] is None]
    if missing:
        raise _not_in_draft(missing)
    written = [p for p, data in files.items() if data is not None]
    existing = [f.path for f in objects.tree_files(wb, parent_tree, with_sizes=False)]
    clash = first_collision(written, existing)
    if clash is not None:
        raise GitbenchError(
            ErrorCode.SANDBOX_VIOLATION,
            f"{clash[1]}; the draft was not changed",
            phase="validating",
            detail={"path": clash[0]},
        )
    blobs = {
        p: (None if data is None else objects.write_blob(wb, data)) for p, data in files.items()
    }
    if blobs == before:
        return None
    tree = objects.build_tree(wb, parent_tree, blobs)
    commit = objects.create_commit(wb, tree, [parent], message)
    moves.move_refs(wb, [RefUpdate(DRAFT, tip, commit)], f"gitbench: {message}")
    return commit, tip is None, before


def discard(wb: Workbench) -> DiscardResult:
    """Delete the draft, keeping its tip under refs/gitbench/discarded/ so it can be undone."""
    with change(wb, "discard"):
        tip = require_draft(wb)
        saved = _set_aside(wb, tip, "gitbench: discard draft")
    conversation.record_event(wb, f"discarded draft {tip[:12]}", draft=tip, saved_as=saved)
    return DiscardResult(tip=tip, saved_as=saved)


def undo_last_commit(wb: Workbench) -> UndoTurnResult:
    """Move the draft back one commit. When that commit was the draft's only one, the draft
    is discarded instead (kept under refs/gitbench/discarded/, so `discard --undo` works)."""
    with change(wb, "draft undo"):
        tip = require_draft(wb)
        main = require_main(wb)
        parent = objects.commit_info(wb, tip).parents[0]
        if parent == main:
            saved = _set_aside(wb, tip, "gitbench: undo the draft's only commit")
            return UndoTurnResult(dropped=tip, tip=None, subject="", saved_as=saved)
        moves.move_refs(wb, [RefUpdate(DRAFT, tip, parent)], "gitbench: draft undo")
    return UndoTurnResult(
        dropped=tip, tip=parent, subject=objects.commit_info(wb, parent).subject, saved_as=None
    )


def _set_aside(wb: Workbench, tip: ObjectId, message: str) -> RefName:
    """Delete the draft, keeping `tip` under refs/gitbench/discarded/ (for `discard --undo`);
    whoever had the draft checked out is moved to main. The caller holds the lock."""
    saved = _free_name(wb, DISCARDED_PREFIX + stamp(wb.clock.now()))
    on_draft = refs.head_branch(wb) == DRAFT
    moves.move_refs(
        wb,
        [RefUpdate(saved, None, tip), RefUpdate(DRAFT, tip, None)],
        message,
        head_after=MAIN if on_draft else None,
    )
    return saved


def undo_discard(wb: Workbench) -> UndoDiscardResult:
    """Bring back the most recently discarded draft, if main has not moved since."""
    with change(wb, "discard --undo"):
        if refs.read_ref(wb, DRAFT) is not None:
            raise GitbenchError(
                ErrorCode.DRAFT_EXISTS,
                "a draft exists; discard or publish it before bringing back an older one",
                phase="gate",
                actions=(Action.REVIEW_DRAFT, Action.PUBLISH_DRAFT, Action.DISCARD_DRAFT),
            )
        saved = refs.list_refs(wb, DISCARDED_PREFIX)
        if not saved:
            raise GitbenchError(
                ErrorCode.NOT_FOUND, "there is no discarded draft to bring back", phase="undo"
            )
        name, tip = saved[-1]
        refuse_if_main_moved(wb, tip)
        moves.move_refs(
            wb, [RefUpdate(DRAFT, None, tip), RefUpdate(name, tip, None)], "gitbench: undo discard"
        )
    return UndoDiscardResult(tip=tip, restored_from=name)


def draft_summary(wb: Workbench, main: ObjectId) -> DraftSummary | None:
    tip = refs.read_ref(wb, DRAFT)
    if tip is None:
        return None
    base = objects.merge_base(wb, main, tip) or main
    commits = objects.commits_between(wb, tip, base)
    created = commits[-1].time if commits else objects.commit_info(wb, tip).time
    age = max(0, int(wb.clock.now().timestamp()) - created)
    # Only counted: the changed paths, without reading a blob header (issue 8).
    changed = diff.changed_paths(
        wb, objects.commit_info(wb, main).tree, objects.commit_info(wb, tip).tree
    )
    return DraftSummary(
        tip=tip,
        base=base,
        commits=len(commits),
        files_changed=len(changed),
        created_at=iso(from_epoch(created)),
        age_seconds=age,
        reminder=_reminder(wb, age),
        based_on_main=base == main,
    )


def _reminder(wb: Workbench, age: int) -> Literal["none", "remind", "warn"]:
    warn_days = int(read_setting(wb, setting("draft.warn_days")))
    remind_hours = int(read_setting(wb, setting("draft.remind_hours")))
    if age >= warn_days * 86_400:
        return "warn"
    if age >= remind_hours * 3_600:
        return "remind"
    return "none"


def _free_name(wb: Workbench, name: str) -> RefName:
    candidate, n = name, 1
    while refs.read_ref(wb, RefName(candidate)) is not None:
        n += 1
        candidate = f"{name}-{n}"
    return RefName(candidate)


def _not_in_draft(paths: list[str]) -> GitbenchError:
    return GitbenchError(
        ErrorCode.NOT_FOUND,
        f"not in the draft: {', '.join(paths)}",
        phase="validating",
        detail={"paths": paths, "hint": "gitbench ls --draft"},
    )
