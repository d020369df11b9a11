"""Every ref move in gitbench goes through `update_refs`: compare-and-swap, all or nothing,
each with a reflog message.

libgit2's transaction locks every ref, then applies the updates one by one at commit. We
re-read each ref while it is locked and refuse if it no longer holds what the caller based its
work on, so a lost race never overwrites anyone's work (design.md invariant 10).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence

import pygit2

from gitbench.errors import Action, ErrorCode, GitbenchError
from gitbench.store.repo import Workbench
from gitbench.store.types import ObjectId, RefName, RefUpdate


def read_ref(wb: Workbench, name: RefName) -> ObjectId | None:
    ref = wb.repo.references.get(name)
    if ref is None:
        return None
    return ObjectId(str(ref.resolve().target))


def list_refs(wb: Workbench, prefix: str) -> list[tuple[RefName, ObjectId]]:
    """Refs under `prefix`, sorted by name."""
    names = sorted(n for n in wb.repo.references if n.startswith(prefix))
    return [(RefName(n), ObjectId(str(wb.repo.references[n].target))) for n in names]


def head_branch(wb: Workbench) -> RefName | None:
    """The branch HEAD points at (even when unborn), or None when HEAD is detached."""
    head = wb.repo.references.get("HEAD")
    if head is None or head.type != pygit2.enums.ReferenceType.SYMBOLIC:
        return None
    return RefName(str(head.target))


def point_head(wb: Workbench, branch: RefName) -> None:
    """Make HEAD a symbolic ref to `branch`; the caller keeps the working tree consistent."""
    wb.repo.references.create("HEAD", branch, force=True)


def update_refs(wb: Workbench, updates: Sequence[RefUpdate], message: str) -> None:
    """Apply every update or none; CONCURRENT_UPDATE if any ref moved under us."""
    try:
        with wb.repo.transaction() as tx:
            for update in updates:
                tx.lock_ref(update.name)
            for update in updates:
                _verify(wb, update)
            for update in updates:
                _stage(wb, tx, update, message)
    except pygit2.GitError as exc:
        raise _lost_race(updates, str(exc)) from exc
    except OSError as exc:
        raise _lost_race(updates, str(exc)) from exc


APPEND_ATTEMPTS = 100
BACKOFF_SECONDS = 0.002


def append_commit(
    wb: Workbench,
    ref: RefName,
    build: Callable[[ObjectId | None], ObjectId],
    message: str,
    *,
    phase: str,
) -> ObjectId:
    """Move an append-only ref (notes, the conversation) to `build(current tip)`, retrying by
    compare-and-swap when another writer got there first. `build` makes the new commit on top
    of the tip it is given, so a retry rebuilds on the winner's tip and nothing is lost."""
    for attempt in range(APPEND_ATTEMPTS):
        if attempt:
            # Jittered backoff: writers that collided once must not collide in lockstep again.
            time.sleep(random.uniform(0, BACKOFF_SECONDS * min(attempt, 25)))
        old = read_ref(wb, ref)
        new = build(old)
        try:
            update_refs(wb, [RefUpdate(ref, old, new)], message)
        except GitbenchError as exc:
            if exc.code is ErrorCode.CONCURRENT_UPDATE:
                continue
            raise
        return new
    raise GitbenchError(
        ErrorCode.CONCURRENT_UPDATE,
        f"could not write {ref}: other writers kept moving it",
        phase=phase,
        retryable=True,
    )


def _verify(wb: Workbench, update: RefUpdate) -> None:
    current = read_ref(wb, update.name)
    if current != update.old:
        raise _lost_race([update], f"{update.name} is {current}, expected {update.old}")


def _stage(
    wb: Workbench, tx: pygit2.transaction.ReferenceTransaction, update: RefUpdate, message: str
) -> None:
    if update.new is None:
        tx.remove(update.name)
    else:
        # No signature: pygit2 1.21 cannot pass one through a transaction (TypeError), and
        # libgit2 then uses the repository identity for the reflog line.
        tx.set_target(update.name, pygit2.Oid(hex=update.new), message=message)


def _lost_race(updates: Sequence[RefUpdate], why: str) -> GitbenchError:
    return GitbenchError(
        ErrorCode.CONCURRENT_UPDATE,
        "the workbench changed while this command ran; nothing was changed",
        phase="update_refs",
        actions=(Action.RETRY,),
        retryable=True,
        detail={"refs": [u.name for u in updates], "reason": why},
    )
