"""Opening a workbench and running a change under its lock, with failures recorded as notes."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from gitbench.clock import Clock, SystemClock, iso
from gitbench.config import Environment
from gitbench.errors import Action, ErrorCode, GitbenchError
from gitbench.store import journal, notes, objects, recovery, refs
from gitbench.store.lock import workbench_lock
from gitbench.store.repo import Workbench, open_workbench
from gitbench.store.types import DRAFT, FAILURES_NOTES, MAIN, ObjectId

RECOVERY_LOG = "recovery.log"

# Refusals change nothing, so there is nothing to record; any other failure inside a change
# leaves a failure note on the commit that was current.
REFUSALS = frozenset(
    {
        ErrorCode.DRAFT_EXISTS,
        ErrorCode.NO_DRAFT,
        ErrorCode.CONFLICT_PUBLISHED_CHANGED,
        ErrorCode.SANDBOX_VIOLATION,
        ErrorCode.VALIDATION_FAILED,
        ErrorCode.NOT_FOUND,
        ErrorCode.WORKTREE_DIRTY,
        ErrorCode.USER_CANCELED,
        ErrorCode.NOT_A_WORKBENCH,
    }
)


def open_bench(path: Path, clock: Clock | None = None, env: Environment | None = None) -> Workbench:
    """Open the workbench that contains `path`, finishing or undoing any operation a crash
    interrupted (what was done is in `wb.recovered`)."""
    wb = open_workbench(path, clock or SystemClock(), env or Environment())
    if journal.intent_path(wb).exists():
        with workbench_lock(wb.state_dir) as stale:
            _repair(wb, stale)
    return wb


@contextlib.contextmanager
def change(wb: Workbench, command: str) -> Iterator[None]:
    """Hold the workbench lock while `command` changes the workbench."""
    with workbench_lock(wb.state_dir) as stale:
        _repair(wb, stale)
        try:
            yield
        except GitbenchError as exc:
            if exc.code not in REFUSALS:
                record_failure(wb, command, exc)
            raise


def _repair(wb: Workbench, stale_locks: list[str]) -> None:
    done = list(stale_locks)
    intent_found = journal.intent_path(wb).exists()
    if stale_locks and not intent_found:
        # The dead holder may have died inside libgit2 with a ref locked.
        done += recovery.remove_git_locks(wb)
    done += recovery.recover(wb)
    if done:
        wb.recovered.extend(done)
        log_recovery(wb, done)


def log_recovery(wb: Workbench, lines: list[str]) -> None:
    """Keep what recovery did where `gitbench doctor` can show it later."""
    stamp_ = iso(wb.clock.now())
    with (wb.state_dir / RECOVERY_LOG).open("a") as handle:
        handle.writelines(f"{stamp_} {line}\n" for line in lines)


def record_failure(wb: Workbench, command: str, error: GitbenchError) -> None:
    """Attach a structured, redacted failure record to the current draft tip (or main)."""
    target = current_commit(wb)
    if target is None:
        return
    record = {
        "code": error.code.value,
        "message": error.message,
        "phase": error.phase,
        "subphase": error.subphase,
        "retryable": error.retryable,
        "command": command,
        "created_at": iso(wb.clock.now()),
        "detail": error.detail,
    }
    try:
        notes.append_note(wb, FAILURES_NOTES, target, record)
    except GitbenchError as failed:
        # The original error is what the person needs to see; say the note is missing too.
        error.detail["failure_note"] = f"not recorded: {failed.code.value}"


def current_commit(wb: Workbench) -> ObjectId | None:
    return refs.read_ref(wb, DRAFT) or refs.read_ref(wb, MAIN)


def require_main(wb: Workbench) -> ObjectId:
    main = refs.read_ref(wb, MAIN)
    if main is None:
        raise GitbenchError(
            ErrorCode.NOT_A_WORKBENCH,
            "the workbench has no main branch",
            phase="open",
        )
    return main


def refuse_if_draft(wb: Workbench, operation: str) -> None:
    """Gate for operations that must not run while a draft exists (design.md invariant 4)."""
    tip = refs.read_ref(wb, DRAFT)
    if tip is not None:
        raise GitbenchError(
            ErrorCode.DRAFT_EXISTS,
            f"cannot {operation} while a draft exists: publish or discard it first",
            phase="gate",
            actions=(Action.REVIEW_DRAFT, Action.PUBLISH_DRAFT, Action.DISCARD_DRAFT),
            detail={"draft": tip},
        )


def require_draft(wb: Workbench) -> ObjectId:
    tip = refs.read_ref(wb, DRAFT)
    if tip is None:
        raise GitbenchError(
            ErrorCode.NO_DRAFT,
            "there is no draft",
            phase="validating",
            detail={"hint": "gitbench put PATH --from FILE starts one"},
        )
    return tip


def refuse_if_main_moved(wb: Workbench, draft_tip: ObjectId) -> None:
    """CONFLICT_PUBLISHED_CHANGED unless main is an ancestor of the draft (design.md invariant 3)."""
    main = require_main(wb)
    if not objects.is_ancestor(wb, main, draft_tip):
        raise GitbenchError(
            ErrorCode.CONFLICT_PUBLISHED_CHANGED,
            "main has moved since this draft was made, so it cannot be published as it is",
            phase="conflict_check",
            actions=(Action.REVIEW_DRAFT, Action.DISCARD_DRAFT),
            detail={"main": main, "draft": draft_tip},
        )
