"""`gitbench doctor`: repair what a crash left behind, then verify every invariant.

Each check names the rule of design.md section 2 it verifies; any failure makes the doctor
unhealthy (the CLI exits non-zero).
"""

from __future__ import annotations

from collections.abc import Callable

from gitbench.services import hooks
from gitbench.services.models import DoctorCheck, DoctorResult
from gitbench.services.session import RECOVERY_LOG, change
from gitbench.store import journal, objects, recovery, refs
from gitbench.store.repo import Workbench
from gitbench.store.types import CHECKPOINT_PREFIX, DRAFT, MAIN, ObjectId

RECENT_RECOVERIES = 20


def doctor(wb: Workbench) -> DoctorResult:
    """Finish or undo an interrupted operation, remove stale locks, then check the invariants."""
    with change(wb, "doctor"):
        repaired = list(wb.recovered)
    checks = [check(wb) for check in CHECKS]
    return DoctorResult(
        healthy=all(c.ok for c in checks),
        repaired=repaired,
        checks=checks,
        recent_recoveries=_recent_recoveries(wb),
    )


def _published_only_forward(wb: Workbench) -> DoctorCheck:
    name = "published only moves forward"
    backwards = []
    for entry in wb.repo.references[MAIN].log():
        old, new = str(entry.oid_old), str(entry.oid_new)
        if set(old) != {"0"} and not _is_ancestor_or_gone(wb, old, new):
            backwards.append(f"{old[:12]} -> {new[:12]}")
    return DoctorCheck(
        name=name,
        ok=not backwards,
        detail="; ".join(backwards) or "main's reflog only moves forward",
    )


def _is_ancestor_or_gone(wb: Workbench, old: str, new: str) -> bool:
    try:
        return objects.is_ancestor(wb, ObjectId(old), ObjectId(new))
    except KeyError:
        return False


def _draft_based_on_main(wb: Workbench) -> DoctorCheck:
    name = "a draft is based on the tip of main"
    main, tip = refs.read_ref(wb, MAIN), refs.read_ref(wb, DRAFT)
    if tip is None or main is None:
        return DoctorCheck(
            name=name, ok=main is not None, detail="no draft" if main else "main is missing"
        )
    ok = objects.is_ancestor(wb, main, tip)
    detail = (
        "the draft contains main"
        if ok
        else "main moved since the draft was made: publish will refuse"
    )
    return DoctorCheck(name=name, ok=ok, detail=detail)


def _checkpoints_intact(wb: Workbench) -> DoctorCheck:
    name = "checkpoints never move"
    moved = []
    for ref, tag in refs.list_refs(wb, CHECKPOINT_PREFIX):
        short = ref.removeprefix("refs/tags/")
        # A checkpoint's tag object names the checkpoint; a ref pointing at another tag object
        # (or at a bare commit) was moved or forged with plain git.
        if not objects.is_tag(wb, tag) or objects.tag_info(wb, tag).name != short:
            moved.append(short)
        elif objects.peel_to_commit(wb, tag) is None:
            moved.append(f"{short} (not on a commit)")
    return DoctorCheck(
        name=name, ok=not moved, detail=", ".join(moved) or "every checkpoint tag names itself"
    )


def _no_interrupted_operation(wb: Workbench) -> DoctorCheck:
    intent = journal.read_intent(wb)
    return DoctorCheck(
        name="every state change is atomic",
        ok=intent is None,
        detail=f"'{intent.operation}' is still interrupted"
        if intent
        else "no interrupted operation",
    )


def _no_stale_locks(wb: Workbench) -> DoctorCheck:
    # gitbench's own stale locks were removed above; any left belong to a git process that is
    # running right now, or to one that died (then removing the file is the repair).
    found = [p.relative_to(wb.git_dir).as_posix() for p in recovery.git_lock_files(wb)]
    return DoctorCheck(
        name="no stale lock files",
        ok=not found,
        detail=", ".join(found) + " (remove if no git command is running)" if found else "none",
    )


def _hooks_active(wb: Workbench) -> DoctorCheck:
    status = hooks.hooks_status(wb)
    return DoctorCheck(
        name="plain git obeys the rules (hooks)",
        ok=status.active,
        detail="; ".join(status.warnings) or "all hooks installed",
    )


def _recent_recoveries(wb: Workbench) -> list[str]:
    try:
        lines = (wb.state_dir / RECOVERY_LOG).read_text().splitlines()
    except FileNotFoundError:
        return []
    return lines[-RECENT_RECOVERIES:]


CHECKS: tuple[Callable[[Workbench], DoctorCheck], ...] = (
    _published_only_forward,
    _draft_based_on_main,
    _checkpoints_intact,
    _no_interrupted_operation,
    _no_stale_locks,
    _hooks_active,
)
