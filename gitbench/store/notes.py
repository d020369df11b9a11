"""Structured notes (JSON) attached to commits, written by compare-and-swap.

pygit2's `create_note` rewrites the notes ref without checking what it held, so concurrent
writers lose notes (design.md section 3). We build the notes commit ourselves and move the ref
with `update_refs`, retrying when another writer got there first.
"""

from __future__ import annotations

import json
from typing import Any

import pygit2
from pygit2.enums import FileMode

from gitbench.store.objects import create_commit, write_blob
from gitbench.store.refs import append_commit, read_ref
from gitbench.store.repo import Workbench
from gitbench.store.types import ObjectId, RefName


def append_note(wb: Workbench, ref: RefName, target: ObjectId, record: dict[str, Any]) -> None:
    """Add `record` to the JSON list noted on `target` under `ref`."""

    def build(old: ObjectId | None) -> ObjectId:
        return _notes_commit(wb, old, target, [*_records_at(wb, old, target), record])

    append_commit(wb, ref, build, f"gitbench: note on {target[:12]}", phase="notes")


def all_notes(wb: Workbench, ref: RefName) -> dict[ObjectId, list[dict[str, Any]]]:
    """Every annotated commit with its records."""
    tip = read_ref(wb, ref)
    if tip is None:
        return {}
    tree = _tree_of(wb, tip)
    notes: dict[ObjectId, list[dict[str, Any]]] = {}
    index = pygit2.Index()
    index.read_tree(tree)
    for entry in index:
        target = ObjectId(entry.path.replace("/", ""))
        notes[target] = _decode(wb.repo[entry.id].data)  # type: ignore[attr-defined]
    return notes


def _records_at(wb: Workbench, tip: ObjectId | None, target: ObjectId) -> list[dict[str, Any]]:
    if tip is None:
        return []
    tree = _tree_of(wb, tip)
    try:
        entry = tree[target]
    except KeyError:
        return []
    return _decode(wb.repo[entry.id].data)  # type: ignore[attr-defined]


def _notes_commit(
    wb: Workbench, old: ObjectId | None, target: ObjectId, records: list[dict[str, Any]]
) -> ObjectId:
    blob = write_blob(wb, (json.dumps({"schema": 1, "records": records}, indent=2) + "\n").encode())
    index = pygit2.Index()
    if old is not None:
        index.read_tree(_tree_of(wb, old))
    index.add(pygit2.IndexEntry(target, pygit2.Oid(hex=blob), FileMode.BLOB))
    tree = ObjectId(str(index.write_tree(wb.repo)))
    return create_commit(wb, tree, [old] if old else [], "gitbench: record failure")


def _tree_of(wb: Workbench, commit: ObjectId) -> pygit2.Tree:
    obj = wb.repo[commit]
    assert isinstance(obj, pygit2.Commit)
    return obj.tree


def _decode(data: bytes) -> list[dict[str, Any]]:
    try:
        parsed = json.loads(data)
    except ValueError:
        # A note written by a person with `git notes`: keep it, as text.
        return [{"text": data.decode(errors="replace")}]
    if isinstance(parsed, dict) and isinstance(parsed.get("records"), list):
        return [r if isinstance(r, dict) else {"value": r} for r in parsed["records"]]
    return [{"value": parsed}]
