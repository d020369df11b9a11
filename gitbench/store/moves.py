"""Moving refs together with the working tree of whichever branch is checked out.

Order, and why: the intent record first (so a crash anywhere after it can be finished or
undone), then the files (libgit2's SAFE checkout compares against HEAD, which still names the
old tree), then every ref in one compare-and-swap, then HEAD if it must point elsewhere, and
last the record is cleared.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

from gitbench.errors import GitbenchError
from gitbench.store import journal, worktree
from gitbench.store.faults import boundary
from gitbench.store.objects import commit_info, empty_tree
from gitbench.store.refs import head_branch, point_head, read_ref, update_refs
from gitbench.store.repo import Workbench
from gitbench.store.types import ObjectId, RefName, RefUpdate


def move_refs(
    wb: Workbench,
    updates: Sequence[RefUpdate],
    message: str,
    *,
    head_after: RefName | None = None,
    holding: Mapping[str, os.stat_result] | None = None,
) -> None:
    """Apply `updates` by compare-and-swap, bringing the working tree along when the tree HEAD
    shows changes, and point HEAD at `head_after` when given. WORKTREE_DIRTY before anything
    moves if a local change would be overwritten; the files are put back if the refs lose a race.
    `holding`: files the caller knows hold their new content, with their stat data then."""
    boundary(wb, "objects_written")
    head = head_branch(wb)
    final = head_after or head
    before = _tree(wb, read_ref(wb, head) if head else None)
    after = _tree(wb, _value_after(wb, final, updates))
    plan = worktree.plan_checkout(wb, before, after, holding or {}) if before != after else None
    if plan is not None:
        worktree.refuse_conflicts(plan)
    intent = journal.Intent(message, tuple(updates), head, head_after, before, after, os.getpid())
    journal.write_intent(wb, intent)
    boundary(wb, "intent_written")
    try:
        _apply(wb, plan, updates, message)
    except GitbenchError:
        journal.clear_intent(wb)
        raise
    if head_after is not None and head_after != head:
        point_head(wb, head_after)
        boundary(wb, "head_pointed")
    journal.clear_intent(wb)
    boundary(wb, "intent_cleared")


def switch_branch(wb: Workbench, branch: RefName) -> None:
    """Check out `branch` (which must exist), keeping local changes that do not conflict."""
    if head_branch(wb) != branch:
        move_refs(wb, [], f"gitbench: switch to {branch}", head_after=branch)


def _apply(
    wb: Workbench, plan: worktree.CheckoutPlan | None, updates: Sequence[RefUpdate], message: str
) -> None:
    if plan is not None:
        worktree.checkout(wb, plan)
        boundary(wb, "worktree_updated")
    try:
        if updates:
            update_refs(wb, updates, message)
            boundary(wb, "refs_moved")
    except GitbenchError:
        if plan is not None:
            worktree.rollback(wb, plan)
        raise


def _value_after(
    wb: Workbench, branch: RefName | None, updates: Sequence[RefUpdate]
) -> ObjectId | None:
    if branch is None:
        return None
    for update in updates:
        if update.name == branch:
            assert update.new is not None, "deleting the checked-out branch needs head_after"
            return update.new
    return read_ref(wb, branch)


def _tree(wb: Workbench, commit: ObjectId | None) -> ObjectId:
    return empty_tree(wb) if commit is None else commit_info(wb, commit).tree
