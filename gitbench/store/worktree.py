"""Keeping the working tree in step with the checked-out branch when gitbench moves it.

A move updates only files that hold exactly what the old tree had; a file that already holds the
new content is left alone (only the index learns of it); anything else is a local change that the
move would overwrite, so the move is refused before any ref moves (design.md invariant 9).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pygit2
from pygit2.enums import CheckoutStrategy, FileStatus

from gitbench.errors import ErrorCode, GitbenchError
from gitbench.store.objects import tree_object
from gitbench.store.repo import Workbench
from gitbench.store.types import ObjectId

# Paths are exact names, never patterns: a file called `*.md` must not match every markdown file.
_EXACT = CheckoutStrategy.DISABLE_PATHSPEC_MATCH


@dataclass(frozen=True)
class CheckoutPlan:
    old_tree: ObjectId
    new_tree: ObjectId
    write: list[str] = field(default_factory=list)
    index_only: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)


def plan_checkout(wb: Workbench, old_tree: ObjectId, new_tree: ObjectId) -> CheckoutPlan:
    changed = _changed_paths(wb, old_tree, new_tree)
    plan = CheckoutPlan(old_tree, new_tree)
    if not changed:
        return plan
    status = wb.repo.status()
    for path, new_blob in changed.items():
        state = status.get(path, FileStatus.CURRENT)
        if state == FileStatus.CURRENT or (state == FileStatus.IGNORED and not _exists(wb, path)):
            plan.write.append(path)
        elif _already_there(wb, path, new_blob):
            plan.index_only.append(path)
        else:
            plan.conflicts.append(path)
    return plan


def refuse_conflicts(plan: CheckoutPlan) -> None:
    if plan.conflicts:
        raise worktree_dirty(plan.conflicts)


def checkout(wb: Workbench, plan: CheckoutPlan) -> None:
    """Bring the files of `plan` to the new tree. HEAD still names the old tree, which libgit2
    uses as the baseline for its own safety check."""
    if plan.write:
        try:
            wb.repo.checkout_tree(  # type: ignore[no-untyped-call]
                tree_object(wb, plan.new_tree),
                strategy=CheckoutStrategy.SAFE | _EXACT,
                paths=plan.write,
            )
        except pygit2.GitError as exc:
            # The tree changed between the plan and now (another program wrote a file).
            raise worktree_dirty(plan.write) from exc
    if plan.index_only:
        _set_index(wb, plan.new_tree, plan.index_only, from_workdir=True)


def rollback(wb: Workbench, plan: CheckoutPlan) -> None:
    """Undo `checkout` after the ref move it prepared for was refused."""
    if plan.write:
        wb.repo.checkout_tree(  # type: ignore[no-untyped-call]
            tree_object(wb, plan.old_tree),
            strategy=CheckoutStrategy.FORCE | _EXACT,
            paths=plan.write,
        )
    if plan.index_only:
        _set_index(wb, plan.old_tree, plan.index_only, from_workdir=False)


def local_changes(wb: Workbench) -> list[str]:
    """Paths whose working-tree or index state differs from the checked-out commit."""
    return sorted(
        path
        for path, state in wb.repo.status().items()
        if state not in (FileStatus.CURRENT, FileStatus.IGNORED)
    )


def worktree_dirty(paths: list[str]) -> GitbenchError:
    shown = ", ".join(paths[:5]) + (f" and {len(paths) - 5} more" if len(paths) > 5 else "")
    return GitbenchError(
        ErrorCode.WORKTREE_DIRTY,
        f"local changes would be overwritten: {shown}. Commit them to the draft "
        "(gitbench put PATH --from PATH) or move them aside, then run the command again",
        phase="worktree_check",
        detail={"paths": paths},
    )


def _changed_paths(wb: Workbench, old: ObjectId, new: ObjectId) -> dict[str, ObjectId | None]:
    diff = tree_object(wb, old).diff_to_tree(tree_object(wb, new))
    changed: dict[str, ObjectId | None] = {}
    for delta in diff.deltas:
        if delta.old_file.path != delta.new_file.path:
            changed[delta.old_file.path] = None
        deleted = delta.status == pygit2.enums.DeltaStatus.DELETED
        changed[delta.new_file.path] = None if deleted else ObjectId(str(delta.new_file.id))
    return changed


def _exists(wb: Workbench, path: str) -> bool:
    return (wb.root / path).exists()


def _already_there(wb: Workbench, path: str, blob: ObjectId | None) -> bool:
    target = wb.root / path
    if blob is None:
        return not target.exists() and not target.is_symlink()
    if not target.is_file() or target.is_symlink():
        return False
    return str(pygit2.hashfile(str(target))) == blob


def _set_index(wb: Workbench, tree: ObjectId, paths: list[str], *, from_workdir: bool) -> None:
    index = wb.repo.index
    index.read()
    root_tree = wb.repo[tree]
    for path in paths:
        present = path in root_tree  # type: ignore[operator]
        if present and from_workdir:
            index.add(path)
        elif present:
            entry = root_tree[path]  # type: ignore[index]
            index.add(pygit2.IndexEntry(path, entry.id, entry.filemode))
        else:
            index.remove(path)
    index.write()
