"""Finishing or undoing an operation that a crash interrupted.

The rule is deterministic: if any ref of the interrupted operation already holds its new
value, the operation is rolled forward (the remaining refs moved, the working tree brought to
the new tree); if none does, it is rolled back (the working tree put back to the old tree).
Objects were written before the intent record, so rolling forward never lacks an object.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pygit2
from pygit2.enums import CheckoutStrategy

from gitbench.store import journal
from gitbench.store.objects import blob_chunks, blob_size, tree_object
from gitbench.store.refs import head_branch, point_head, read_ref, update_refs
from gitbench.store.repo import Workbench
from gitbench.store.types import ObjectId

# Lock files libgit2 (or git) leaves behind when killed while holding them.
_GIT_LOCKS = ("HEAD.lock", "packed-refs.lock", "index.lock")


def recover(wb: Workbench) -> list[str]:
    """Complete or roll back an interrupted operation; returns what was done, for people.
    The caller holds the workbench lock, so no live gitbench process owns the record."""
    intent = journal.read_intent(wb)
    if intent is None:
        return []
    done = remove_git_locks(wb)
    forward = any(read_ref(wb, u.name) == u.new for u in intent.updates)
    if forward:
        done += _roll_forward(wb, intent)
    done += _settle_worktree(wb, intent, forward)
    journal.clear_intent(wb)
    verb = "completed" if forward else "rolled back"
    return [f"{verb} an interrupted '{intent.operation}'", *done]


def remove_git_locks(wb: Workbench) -> list[str]:
    """Delete lock files under the git directory left by a killed process. Called only when the
    gitbench process that held the workbench lock is known to be dead."""
    found = git_lock_files(wb)
    for path in found:
        path.unlink(missing_ok=True)
    return [f"removed stale lock {path.relative_to(wb.git_dir)}" for path in found]


def git_lock_files(wb: Workbench) -> list[Path]:
    found = [wb.git_dir / name for name in _GIT_LOCKS if (wb.git_dir / name).exists()]
    return found + sorted((wb.git_dir / "refs").rglob("*.lock"))


def _roll_forward(wb: Workbench, intent: journal.Intent) -> list[str]:
    pending = [u for u in intent.updates if read_ref(wb, u.name) == u.old and u.old != u.new]
    foreign = [u.name for u in intent.updates if read_ref(wb, u.name) not in (u.old, u.new)]
    if pending:
        update_refs(wb, pending, f"gitbench: complete interrupted {intent.operation}")
    notes = [f"moved {u.name} to {_short(u.new)}" for u in pending]
    notes += [f"left {name} alone: it was moved by someone else since" for name in foreign]
    if intent.head_after is not None and head_branch(wb) != intent.head_after:
        point_head(wb, intent.head_after)
        notes.append(f"pointed HEAD at {intent.head_after}")
    return notes


def _settle_worktree(wb: Workbench, intent: journal.Intent, forward: bool) -> list[str]:
    """Make every file the operation touched hold the final tree's bytes, unless a person has
    changed it since, in which case it is left alone and reported."""
    if intent.tree_before is None or intent.tree_after is None:
        return []
    if intent.tree_before == intent.tree_after:
        return []
    if not forward and head_branch(wb) != intent.head_before and intent.head_before:
        point_head(wb, intent.head_before)
    target, other = (
        (intent.tree_after, intent.tree_before)
        if forward
        else (intent.tree_before, intent.tree_after)
    )
    ours, kept = _files_to_restore(wb, target, other)
    if ours:
        wb.repo.checkout_tree(  # type: ignore[no-untyped-call]
            tree_object(wb, target),
            strategy=CheckoutStrategy.FORCE | CheckoutStrategy.DISABLE_PATHSPEC_MATCH,
            paths=ours,
        )
    notes = [f"restored {len(ours)} file(s) of the working tree"] if ours else []
    return notes + [f"kept a local change to {path}" for path in kept]


def _files_to_restore(
    wb: Workbench, target: ObjectId, other: ObjectId
) -> tuple[list[str], list[str]]:
    diff = tree_object(wb, other).diff_to_tree(tree_object(wb, target))
    ours: list[str] = []
    kept: list[str] = []
    for delta in diff.deltas:
        path = delta.new_file.path
        on_disk = _disk_blob(wb.root / path)
        wanted = (
            None if delta.status == pygit2.enums.DeltaStatus.DELETED else str(delta.new_file.id)
        )
        theirs = None if delta.status == pygit2.enums.DeltaStatus.ADDED else str(delta.old_file.id)
        # Bytes the operation wrote (or was about to overwrite) are ours to set, and so is a
        # file it was killed while writing; anything else is a person's edit since the crash.
        written = on_disk in (wanted, theirs) or _cut_short(wb, wb.root / path, (wanted, theirs))
        (ours if written else kept).append(path)
    return ours, kept


def _cut_short(wb: Workbench, path: Path, blobs: tuple[str | None, str | None]) -> bool:
    """Whether the file holds the start of one of `blobs` and nothing else: libgit2's checkout
    writes a file in place, front to back, so a kill in the middle leaves a proper prefix (an
    empty file, at the earliest)."""
    if not path.is_file() or path.is_symlink():
        return False
    size = path.stat().st_size
    return any(
        blob is not None
        and size < blob_size(wb, ObjectId(blob))
        and _starts_with(blob_chunks(wb, ObjectId(blob)), path, size)
        for blob in blobs
    )


def _starts_with(chunks: Iterator[bytes], path: Path, size: int) -> bool:
    with path.open("rb") as disk:
        left = size
        for piece in chunks:
            if left == 0:
                return True
            wanted = piece[:left]
            if disk.read(len(wanted)) != wanted:
                return False
            left -= len(wanted)
        return left == 0


def _disk_blob(path: Path) -> str | None:
    if not path.is_file() or path.is_symlink():
        return None
    return str(pygit2.hashfile(str(path)))


def _short(oid: ObjectId | None) -> str:
    return oid[:12] if oid else "(deleted)"
