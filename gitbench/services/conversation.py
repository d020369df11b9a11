"""The saved conversation of a workbench: the message log of `gitbench ask` and `chat`, with
system events (draft created, turn applied or rejected, published, discarded, restored).

It lives in git as commits on `refs/gitbench/conversation` (design.md section 1), so it survives
drafts, publishes and clones. Raw prompts go here and nowhere else: never into failure notes or
logs (issue 7).

Other services record what they did with `record_event`, e.g. after a publish::

    record_event(wb, "published", checkpoint=checkpoint_id)
"""

from __future__ import annotations

import json

from gitbench.clock import iso
from gitbench.errors import ErrorCode, GitbenchError
from gitbench.services.models import ConversationEntry, ConversationResult
from gitbench.store import conversation as log
from gitbench.store import refs
from gitbench.store.repo import Workbench

__all__ = [
    "ConversationEntry",
    "append_entries",
    "read_entries",
    "record_event",
    "show_conversation",
]


def append_entries(wb: Workbench, entries: list[ConversationEntry]) -> str:
    """Save `entries` after the log as one commit on `refs/gitbench/conversation`, moved by
    compare-and-swap (retried when another process appended first); the commit id."""
    lines = [json.dumps(e.model_dump(mode="json"), ensure_ascii=False) for e in entries]
    kinds = sorted({e.kind for e in entries})
    return log.append_lines(wb, lines, f"conversation: +{len(entries)} ({', '.join(kinds)})")


def read_entries(wb: Workbench) -> list[ConversationEntry]:
    """Every saved entry, oldest first (empty when nothing was saved yet)."""
    lines = log.read_log(wb).splitlines()
    return [_parse(line, number) for number, line in enumerate(lines, 1) if line.strip()]


def record_event(wb: Workbench, text: str, **detail: object) -> None:
    """Save a system event (kind "event") stamped with the workbench clock."""
    entry = ConversationEntry(kind="event", text=text, at=iso(wb.clock.now()), detail=detail)
    append_entries(wb, [entry])


def show_conversation(wb: Workbench) -> ConversationResult:
    """The log for `gitbench conversation`, with the commit that holds it."""
    return ConversationResult(commit=refs.read_ref(wb, log.CONVERSATION), entries=read_entries(wb))


def _parse(line: str, number: int) -> ConversationEntry:
    try:
        return ConversationEntry.model_validate_json(line)
    except ValueError as exc:
        # Someone edited the log with git by hand: say where, rather than show half a log.
        raise GitbenchError(
            ErrorCode.VALIDATION_FAILED,
            "the saved conversation has a line gitbench cannot read",
            phase="conversation",
            # The line number only: the line itself may hold a prompt (issue 7).
            detail={"ref": log.CONVERSATION, "path": log.LOG_PATH, "line": number},
        ) from exc
