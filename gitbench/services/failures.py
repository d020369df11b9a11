"""`gitbench failures`: the failure artifacts recorded as notes under refs/notes/gitbench/failures."""

from __future__ import annotations

from gitbench.services.models import FailureList, FailureRecord
from gitbench.store import notes
from gitbench.store.repo import Workbench
from gitbench.store.types import FAILURES_NOTES


def list_failures(wb: Workbench) -> FailureList:
    """Every recorded failure, oldest first."""
    records = [
        _record(commit, raw)
        for commit, entries in notes.all_notes(wb, FAILURES_NOTES).items()
        for raw in entries
    ]
    return FailureList(failures=sorted(records, key=lambda r: (r.created_at or "", r.commit)))


def _record(commit: str, raw: dict[str, object]) -> FailureRecord:
    detail = raw.get("detail")
    return FailureRecord(
        commit=commit,
        code=str(raw.get("code", "UNKNOWN")),
        message=str(raw.get("message", raw.get("text", ""))),
        phase=str(raw.get("phase", "")),
        command=str(raw["command"]) if raw.get("command") else None,
        created_at=str(raw["created_at"]) if raw.get("created_at") else None,
        detail=detail if isinstance(detail, dict) else {},
    )
