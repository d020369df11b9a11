"""The intent record: what a ref-moving operation is about to do, written before it starts.

libgit2 writes the refs of a transaction one by one, and the working tree is updated file by
file, so a process killed mid-way can leave a mix. The record lets the next gitbench process
finish or undo the operation deterministically (see store/recovery.py).
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from gitbench.store.objects import storage_error
from gitbench.store.repo import Workbench
from gitbench.store.types import ObjectId, RefName, RefUpdate

INTENT_NAME = "intent.json"


@dataclass(frozen=True)
class Intent:
    operation: str
    updates: tuple[RefUpdate, ...]
    head_before: RefName | None
    head_after: RefName | None
    tree_before: ObjectId | None
    tree_after: ObjectId | None
    pid: int

    def to_json(self) -> str:
        data = asdict(self)
        data["updates"] = [asdict(u) for u in self.updates]
        return json.dumps(data, indent=2)

    @staticmethod
    def from_json(text: str) -> Intent:
        data = json.loads(text)
        updates = tuple(
            RefUpdate(RefName(u["name"]), _oid(u["old"]), _oid(u["new"])) for u in data["updates"]
        )
        return Intent(
            operation=data["operation"],
            updates=updates,
            head_before=data["head_before"],
            head_after=data["head_after"],
            tree_before=_oid(data["tree_before"]),
            tree_after=_oid(data["tree_after"]),
            pid=int(data["pid"]),
        )


def intent_path(wb: Workbench) -> Path:
    return wb.state_dir / INTENT_NAME


def write_intent(wb: Workbench, intent: Intent) -> None:
    """Durably record `intent`: write a temporary file, fsync it, rename it into place, fsync
    the directory. After this returns, a crash cannot lose the record."""
    target = intent_path(wb)
    tmp = target.with_suffix(".tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with tmp.open("w") as handle:
            handle.write(intent.to_json())
            handle.flush()
            os.fsync(handle.fileno())
        tmp.replace(target)
        _fsync_dir(target.parent)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise storage_error(exc, "journal") from exc


def read_intent(wb: Workbench) -> Intent | None:
    try:
        text = intent_path(wb).read_text()
    except FileNotFoundError:
        return None
    return Intent.from_json(text)


def clear_intent(wb: Workbench) -> None:
    intent_path(wb).unlink(missing_ok=True)
    _fsync_dir(intent_path(wb).parent)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _oid(value: str | None) -> ObjectId | None:
    return ObjectId(value) if value else None
