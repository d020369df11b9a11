"""The saved conversation: commits on `refs/gitbench/conversation` whose tree holds `log.jsonl`.

Each append is one commit (parent: the previous tip) holding the whole log, so `git show
refs/gitbench/conversation:log.jsonl` reads it and `git log` shows when each part was added. The
ref moves by compare-and-swap with jittered retries, as the notes ref does (design.md section 1,
invariant 10): concurrent appenders never lose a line.
"""

from __future__ import annotations

from gitbench.store.objects import (
    build_tree,
    commit_info,
    create_commit,
    read_blob,
    tree_blob,
    write_blob,
)
from gitbench.store.refs import append_commit, read_ref
from gitbench.store.repo import Workbench
from gitbench.store.types import ObjectId, RefName

CONVERSATION = RefName("refs/gitbench/conversation")
LOG_PATH = "log.jsonl"


def append_lines(wb: Workbench, lines: list[str], message: str) -> ObjectId:
    """Add `lines` (one JSON document each, no newline) to the log in one commit; its id."""
    added = "".join(f"{line}\n" for line in lines)

    def build(old: ObjectId | None) -> ObjectId:
        return _log_commit(wb, old, read_log(wb, old) + added, message)

    return append_commit(wb, CONVERSATION, build, f"gitbench: {message}", phase="conversation")


def read_log(wb: Workbench, tip: ObjectId | None = None) -> str:
    """The log's text at `tip` (default: the ref's tip); empty when nothing was saved."""
    tip = tip if tip is not None else read_ref(wb, CONVERSATION)
    if tip is None:
        return ""
    blob = tree_blob(wb, commit_info(wb, tip).tree, LOG_PATH)
    return "" if blob is None else read_blob(wb, blob).decode("utf-8", errors="replace")


def _log_commit(wb: Workbench, old: ObjectId | None, text: str, message: str) -> ObjectId:
    tree = build_tree(wb, None, {LOG_PATH: write_blob(wb, text.encode())})
    return create_commit(wb, tree, [old] if old else [], message)
