"""Moving refs together with the working tree of whichever branch is checked out."""

from __future__ import annotations

from collections.abc import Sequence

from gitbench.errors import GitbenchError
from gitbench.store import worktree
from gitbench.store.objects import commit_info, empty_tree
from gitbench.store.refs import head_branch, point_head, read_ref, update_refs
from gitbench.store.repo import Workbench
from gitbench.store.types import ObjectId, RefName, RefUpdate


def move_refs(wb: Workbench, updates: Sequence[RefUpdate], message: str) -> None:
    """Apply `updates` by compare-and-swap. If one of them moves the checked-out branch, its
    files are brought along first, and put back if the ref move is refused."""
    plan = _plan_for_head(wb, updates)
    if plan is not None:
        worktree.checkout(wb, plan)
    try:
        update_refs(wb, updates, message)
    except GitbenchError:
        if plan is not None:
            worktree.rollback(wb, plan)
        raise


def switch_branch(wb: Workbench, branch: RefName) -> None:
    """Check out `branch` (which must exist), keeping local changes that do not conflict."""
    current = head_branch(wb)
    if current == branch:
        return
    old = read_ref(wb, current) if current else None
    new = read_ref(wb, branch)
    assert new is not None, f"{branch} must exist before it is checked out"
    plan = worktree.plan_checkout(wb, _tree(wb, old), _tree(wb, new))
    worktree.refuse_conflicts(plan)
    worktree.checkout(wb, plan)
    point_head(wb, branch)


def _plan_for_head(wb: Workbench, updates: Sequence[RefUpdate]) -> worktree.CheckoutPlan | None:
    head = head_branch(wb)
    for update in updates:
        if update.name == head and update.new is not None and update.old != update.new:
            plan = worktree.plan_checkout(wb, _tree(wb, update.old), _tree(wb, update.new))
            worktree.refuse_conflicts(plan)
            return plan
    return None


def _tree(wb: Workbench, commit: ObjectId | None) -> ObjectId:
    return empty_tree(wb) if commit is None else commit_info(wb, commit).tree
