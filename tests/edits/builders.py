"""Small constructors for edit payloads, so tests read like the spec's table."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gitbench.edits.apply import apply_response, parse_response, shown_file
from gitbench.edits.results import Applied, NoOp, Rejection
from gitbench.edits.schema import (
    EditProposal,
    ModelEditResponse,
    ReplaceLinesOp,
    ReplaceOp,
    ShownFile,
    WriteOp,
    blob_oid,
)
from gitbench.edits.settings import DEFAULT_SETTINGS, EditSettings

BASE = "0" * 40


def replace(search: str, replacement: str, **options: Any) -> ReplaceOp:
    return ReplaceOp(op="replace", search=search, replace=replacement, **options)


def lines(start: int, end: int, old: str, new: str, **options: Any) -> ReplaceLinesOp:
    return ReplaceLinesOp(
        op="replace_lines", start_line=start, end_line=end, old_text=old, new_text=new, **options
    )


def write(content: str, **options: Any) -> WriteOp:
    return WriteOp(op="write", content=content, **options)


def edit(path: str, *ops: Any, action: str = "edit", **extra: Any) -> dict[str, Any]:
    ops_json = [op.model_dump() if hasattr(op, "model_dump") else op for op in ops]
    return {"path": path, "action": action, "ops": ops_json, **extra}


def response(*files: dict[str, Any]) -> ModelEditResponse:
    parsed = parse_response({"summary": "test edit", "files": list(files)})
    assert isinstance(parsed, ModelEditResponse), parsed
    return parsed


def shown(path: str, data: bytes | None) -> ShownFile:
    record = shown_file(path, data)
    assert isinstance(record, ShownFile), record
    return record


def proposal(
    shown_files: Mapping[str, bytes | ShownFile | None], *files: dict[str, Any]
) -> EditProposal:
    """A proposal whose context showed `shown_files` (path -> bytes, None when absent)."""
    return EditProposal(
        proposal_id="a" * 32,
        attempt=1,
        draft_ref="refs/heads/draft",
        base_commit=BASE,
        shown={
            path: data if isinstance(data, ShownFile) else shown(path, data)
            for path, data in shown_files.items()
        },
        response=response(*files),
        model="test-model",
    )


def run(
    head: Mapping[str, bytes | None],
    prop: EditProposal,
    settings: EditSettings = DEFAULT_SETTINGS,
    **options: Any,
) -> Applied | NoOp | Rejection:
    """Apply `prop` to a draft head holding `head` (path -> bytes, None when absent)."""
    tree = {path: None if data is None else blob_oid(data) for path, data in head.items()}
    return apply_response(head, prop, tree, settings, **options)


def one_file(result: Applied | NoOp | Rejection) -> bytes | None:
    assert isinstance(result, Applied), result
    assert len(result.files) == 1
    return result.files[0].new_bytes
