"""Keeping the working tree in step with the checked-out branch when gitbench moves it.

A move updates only files that hold exactly what the old tree had; a file that already holds the
new content is left alone (only the index learns of it); anything else is a local change that the
move would overwrite, so the move is refused before any ref moves (design.md invariant 9).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

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
    # The stat data of the index_only files that exist, taken before they were hashed.
    stats: dict[str, os.stat_result] = field(default_factory=dict)


def plan_checkout(
    wb: Workbench,
    old_tree: ObjectId,
    new_tree: ObjectId,
    holding: Mapping[str, os.stat_result] | None = None,
) -> CheckoutPlan:
    """Which changed files to write, which only the index must learn of, which are local
    changes in the way. `holding`: files known to hold their new blob, with the stat data taken
    before that blob was read from them; a file whose stat still matches is not hashed again."""
    changed = _changed_paths(wb, old_tree, new_tree)
    plan = CheckoutPlan(old_tree, new_tree)
    if not changed:
        return plan
    status = wb.repo.status()
    for path, new_blob in changed.items():
        state = status.get(path, FileStatus.CURRENT)
        if state == FileStatus.CURRENT or (state == FileStatus.IGNORED and not _exists(wb, path)):
            plan.write.append(path)
        elif new_blob is None and _absent(wb, path):
            plan.index_only.append(path)
        elif new_blob is not None and (
            info := _holding(wb, path, new_blob, (holding or {}).get(path))
        ):
            plan.index_only.append(path)
            plan.stats[path] = info
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
        _set_index(wb, plan.new_tree, plan.index_only, plan.stats)


def rollback(wb: Workbench, plan: CheckoutPlan) -> None:
    """Undo `checkout` after the ref move it prepared for was refused."""
    if plan.write:
        wb.repo.checkout_tree(  # type: ignore[no-untyped-call]
            tree_object(wb, plan.old_tree),
            strategy=CheckoutStrategy.FORCE | _EXACT,
            paths=plan.write,
        )
    if plan.index_only:
        _set_index(wb, plan.old_tree, plan.index_only, {})


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


def _absent(wb: Workbench, path: str) -> bool:
    target = wb.root / path
    return not target.exists() and not target.is_symlink()


def _holding(
    wb: Workbench, path: str, blob: ObjectId, known: os.stat_result | None
) -> os.stat_result | None:
    """The file's stat data when it holds exactly `blob`, else None. The stat is taken before
    the hash, so a write after it changes the stat data and git hashes the file again. `known`
    is the stat data from when `blob` was read from this file: if nothing about the file has
    changed since, it still holds `blob`."""
    try:
        info = (wb.root / path).lstat()
    except FileNotFoundError:
        return None
    if not stat.S_ISREG(info.st_mode):
        return None
    if known is not None and _same_file_state(info, known):
        return info
    return info if str(pygit2.hashfile(str(wb.root / path))) == blob else None


def _same_file_state(a: os.stat_result, b: os.stat_result) -> bool:
    # What git's own stat check compares (ctime included: a rewrite in place changes it).
    return (a.st_ino, a.st_size, a.st_mtime_ns, a.st_ctime_ns, a.st_mode) == (
        b.st_ino,
        b.st_size,
        b.st_mtime_ns,
        b.st_ctime_ns,
        b.st_mode,
    )


def _set_index(
    wb: Workbench, tree: ObjectId, paths: list[str], stats: dict[str, os.stat_result]
) -> None:
    """Point the index entries of `paths` at `tree`'s blobs. A file already checked to hold
    its blob gets its stat data too, as `index.add(path)` would record it, but without that
    call hashing and compressing the file once more (issue 8: half of adding 10,000 files)."""
    index = wb.repo.index
    index.read()
    root_tree = tree_object(wb, tree)
    # Every id comes from a tree read from the object database, so libgit2's check that it
    # exists (a header read per entry: 0.1-1 s for 10,000 files) cannot fail here.
    pygit2.settings.enable_strict_object_creation(False)
    try:
        for path in paths:
            _set_entry(index, root_tree, path, stats.get(path))
    finally:
        pygit2.settings.enable_strict_object_creation(True)
    index.write()


def _set_entry(
    index: pygit2.Index, root_tree: pygit2.Tree, path: str, info: os.stat_result | None
) -> None:
    if path not in root_tree:
        index.remove(path)
        return
    entry = root_tree[path]
    if info is None:
        index.add(pygit2.IndexEntry(path, entry.id, entry.filemode))
    else:
        index.add(_StatEntry(path, entry.id, entry.filemode, info))


class _StatEntry(pygit2.IndexEntry):
    """An index entry carrying the file's stat data, filled in as libgit2's
    `git_index_entry__init_from_stat` does (including its `dev` from `st_rdev`), so that status
    sees the file as unchanged without hashing it. pygit2's IndexEntry has no stat fields."""

    def __init__(
        self, path: str, oid: pygit2.Oid, mode: pygit2.enums.FileMode, info: os.stat_result
    ) -> None:
        super().__init__(path, oid, mode)
        self.info = info

    def _to_c(self) -> Any:
        centry, path = super()._to_c()
        info = self.info
        centry.ctime.seconds = _int32(info.st_ctime_ns // 1_000_000_000)
        centry.ctime.nanoseconds = info.st_ctime_ns % 1_000_000_000
        centry.mtime.seconds = _int32(info.st_mtime_ns // 1_000_000_000)
        centry.mtime.nanoseconds = info.st_mtime_ns % 1_000_000_000
        centry.dev = info.st_rdev & 0xFFFFFFFF
        centry.ino = info.st_ino & 0xFFFFFFFF
        centry.uid = info.st_uid & 0xFFFFFFFF
        centry.gid = info.st_gid & 0xFFFFFFFF
        centry.file_size = info.st_size & 0xFFFFFFFF
        return centry, path


def _int32(value: int) -> int:
    # C's (int32_t) cast, which libgit2 applies to the seconds (they wrap in 2038).
    return (value + (1 << 31)) % (1 << 32) - (1 << 31)
