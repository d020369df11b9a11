"""Publish: fast-forward main to the draft, after a `publish` checkpoint of the old main.

One compare-and-swap creates the checkpoint tag, moves main and deletes the draft, so a
concurrent writer can never see main moved with the draft still there, or the reverse.
"""

from __future__ import annotations

from collections.abc import Callable

from gitbench.errors import Action, ErrorCode, GitbenchError
from gitbench.services import conversation
from gitbench.services.checkpoints import prepare_checkpoint
from gitbench.services.models import PublishResult
from gitbench.services.session import change, refuse_if_main_moved, require_draft, require_main
from gitbench.store import diff, moves, objects, refs
from gitbench.store.repo import Workbench
from gitbench.store.types import DRAFT, MAIN, RefUpdate

PHASES = ("validating", "conflict_check", "checkpoint", "fast_forward", "finalizing")

Confirm = Callable[[list[str]], bool]
Progress = Callable[[str], None]


def publish(
    wb: Workbench,
    message: str | None = None,
    confirm_deletions: Confirm | None = None,
    progress: Progress | None = None,
) -> PublishResult:
    """Make the draft the published copy. Files the draft deletes must be confirmed by
    `confirm_deletions` (which receives their paths); without it, or on a no, nothing changes."""
    step = progress or (lambda _phase: None)
    with change(wb, "publish"):
        step("validating")
        tip = require_draft(wb)
        main = require_main(wb)
        step("conflict_check")
        refuse_if_main_moved(wb, tip)
        tip_tree = objects.commit_info(wb, tip).tree
        changes = diff.changed_paths(wb, objects.commit_info(wb, main).tree, tip_tree)
        deleted = [path for status, path in changes if status == "deleted"]
        if deleted and not (confirm_deletions and confirm_deletions(deleted)):
            raise _unconfirmed(deleted)
        step("checkpoint")
        description = message or f"before publishing draft {tip[:12]}"
        guard, checkpoint = prepare_checkpoint(wb, main, "publish", description, near=[tip_tree])
        step("fast_forward")
        updates = [guard, RefUpdate(MAIN, main, tip), RefUpdate(DRAFT, tip, None)]
        # Someone who switched to the draft with git ends up on main, which now holds it.
        on_draft = refs.head_branch(wb) == DRAFT
        moves.move_refs(
            wb,
            updates,
            f"gitbench: publish{': ' + message if message else ''}",
            head_after=MAIN if on_draft else None,
        )
        step("finalizing")
    conversation.record_event(
        wb,
        f"published {tip[:12]}; undo with gitbench checkpoint restore {checkpoint.id}",
        checkpoint=checkpoint.id,
        published=tip,
    )
    return PublishResult(
        previous=main,
        published=tip,
        checkpoint=checkpoint,
        files_changed=len(changes),
        deleted=deleted,
    )


def _unconfirmed(deleted: list[str]) -> GitbenchError:
    return GitbenchError(
        ErrorCode.USER_CANCELED,
        f"the draft deletes {len(deleted)} file(s) and publishing them needs confirmation: "
        + ", ".join(deleted[:5]),
        phase="conflict_check",
        subphase="confirm_deletions",
        actions=(Action.REVIEW_DRAFT,),
        detail={"deleted": deleted, "hint": "gitbench publish --confirm-delete PATH (or --yes)"},
    )
