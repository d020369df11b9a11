"""The pure entry points of the edit pipeline: parse, check preconditions, apply, inspect.

How the store integrates it (spec: Apply algorithm, steps 1-7 and 9):

1. When building the prompt, record each shown file with `shown_file(path, data)` (its blob,
   EOL and BOM); show the model `decode(data).text`, the view its ops are addressed against.
2. Parse the model's JSON with `parse_response(raw)` (a Rejection: `schema_invalid` or
   `invalid_path`), wrap it in an `EditProposal` with the recorded `shown` and `base_commit`.
3. Read the draft head's tree: for every path of the response pass `tree_blobs[path]` (the
   tree entry's blob id, None when absent) and `files[path]` (that blob's bytes, None when
   absent). Call `apply_response(files, proposal, tree_blobs, settings)`.
4. `Applied`: write each `FileResult.new_bytes` (None = remove the path) in one commit on the
   draft head, CAS the ref, then `applied.with_timings(write=..., ref=...)` for telemetry.
   `NoOp`: no commit. `Rejection`: nothing to undo; `to_error()` for the CLI, or feed it to the
   retry prompt. If the CAS loses, call `apply_response` again on the new head: the recorded
   `shown` blobs then turn a changed file into `blob_mismatch`.

Every file of a proposal succeeds or the whole proposal is rejected (all-or-nothing).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from gitbench.edits.change import Change, Edit
from gitbench.edits.codec import (
    EMPTY_VIEW,
    View,
    apply_encoding,
    decode,
    plan_encoding,
    splice_starts,
    splice_text,
)
from gitbench.edits.inspector import CHECKS, Check, inspect
from gitbench.edits.reasons import ReasonCode
from gitbench.edits.resolve import Resolved, resolve
from gitbench.edits.results import Applied, Diagnostic, FileResult, NoOp, Rejection, reject
from gitbench.edits.schema import (
    EditProposal,
    FileOp,
    ModelEditResponse,
    ModelFileEdit,
    ShownFile,
    blob_oid,
)
from gitbench.edits.settings import DEFAULT_SETTINGS, EditSettings
from gitbench.edits.stats import line_count, line_stats

PHASES = ("parse", "precondition", "resolve", "apply", "inspect")
Checks = Sequence[tuple[ReasonCode, Check]]


class _Stopwatch:
    """Accumulates wall time per phase across the files of a proposal."""

    def __init__(self, timer: Callable[[], int]) -> None:
        self._timer = timer
        self._last = timer()
        self.ms = dict.fromkeys(PHASES, 0.0)

    def lap(self, phase: str) -> None:
        now = self._timer()
        self.ms[phase] += (now - self._last) / 1e6
        self._last = now


def parse_response(raw: str | bytes | Mapping[str, Any]) -> ModelEditResponse | Rejection:
    """Validate a model's response (JSON text, or an already-decoded mapping)."""
    try:
        if isinstance(raw, Mapping):
            return ModelEditResponse.model_validate(raw)
        return ModelEditResponse.model_validate_json(raw)
    except ValidationError as exc:
        return _schema_rejection(exc)


def _schema_rejection(exc: ValidationError) -> Rejection:
    # Inputs are left out of the diagnostics: they are model text that may quote the file.
    errors = exc.errors(include_url=False, include_input=False, include_context=False)
    diagnostics = [{"loc": list(e["loc"]), "type": e["type"], "msg": e["msg"]} for e in errors]
    bad_path = next((e for e in exc.errors(include_url=False) if e["type"] == "invalid_path"), None)
    if bad_path is not None:  # a path is a safety matter, not a retryable schema slip
        return reject(
            ReasonCode.INVALID_PATH,
            bad_path["msg"],
            path=bad_path["input"],
            diagnostics=diagnostics,
        )
    detail = f"{len(errors)} schema error(s), first at {'.'.join(map(str, errors[0]['loc']))}"
    return reject(ReasonCode.SCHEMA_INVALID, detail, diagnostics=diagnostics)


def shown_file(
    path: str,
    data: bytes | None,
    settings: EditSettings = DEFAULT_SETTINGS,
    *,
    blob: str | None = None,
    keep: bool = False,
) -> ShownFile | Rejection:
    """The record of showing `data` (None: absent) to the model, for `EditProposal.shown`.

    `blob` is `data`'s id when the caller has it from the tree (saves hashing 10 MB); `keep`
    keeps the bytes and view on the record for an apply that follows at once (`kept`).
    """
    if data is None:
        return ShownFile(path=path, blob=None, eol="none", bom=False)
    view = decode(data, path=path, sniff_bytes=settings.binary_sniff_bytes)
    if isinstance(view, Rejection):
        return view
    record = ShownFile(path=path, blob=blob or blob_oid(data), eol=view.eol, bom=view.bom)
    if keep:
        record.keep(data, view, settings.binary_sniff_bytes)
    return record


def shown_bytes(shown: Mapping[str, ShownFile], path: str, blob: str | None) -> bytes | None:
    """The bytes recorded for `path` if the tree still holds the blob shown, else None."""
    record = shown.get(path)
    return None if record is None else record.kept_bytes(blob)


def apply_file(
    path: str,
    before: bytes | None,
    ops: Sequence[FileOp],
    *,
    settings: EditSettings = DEFAULT_SETTINGS,
    checks: Checks = CHECKS,
    old_blob: str | None = None,
) -> FileResult | Rejection:
    """Apply `ops` to one file's bytes (None: create) and inspect the result; no preconditions."""
    run = _Run(settings, checks, _Stopwatch(time.perf_counter_ns))
    return _apply_file(run, path, before, ops, old_blob)


@dataclass(frozen=True)
class _Run:
    settings: EditSettings
    checks: Checks
    watch: _Stopwatch


def _apply_file(
    run: _Run,
    path: str,
    before: bytes | None,
    ops: Sequence[FileOp],
    old_blob: str | None,
    *,
    shown: ShownFile | None = None,
) -> FileResult | Rejection:
    view = _view(run.settings, path, before, shown)
    if isinstance(view, Rejection):
        return view
    resolved = resolve(view, ops, path=path, settings=run.settings)
    run.watch.lap("resolve")
    if isinstance(resolved, Rejection):
        return resolved
    stats = _inspected(run, path, view, resolved, ops)
    if isinstance(stats, Rejection):
        return stats
    if stats is None:  # an empty create has no lines to count
        if before is not None:
            return _unchanged(path, before, len(ops), old_blob)
        stats = (0, 0)
    # Encoded only now, once the spliced view is gone, and from a plan so that the view is
    # gone too: at 10 MB the bytes, both views and the new bytes alive together were the 5x
    # peak of #6 (and a write's text is the spliced view, alive until the commit).
    plan = plan_encoding(view, resolved.regions)
    del view
    new_bytes = apply_encoding(before or b"", plan)
    result = _result(path, before, new_bytes, old_blob, stats, ops=len(ops), notes=resolved.notes)
    run.watch.lap("apply")
    return result


def _view(
    settings: EditSettings, path: str, before: bytes | None, shown: ShownFile | None
) -> View | Rejection:
    if before is None:
        return EMPTY_VIEW
    kept = None if shown is None else shown.take_view(before, settings.binary_sniff_bytes)
    return kept or decode(before, path=path, sniff_bytes=settings.binary_sniff_bytes)


def _inspected(
    run: _Run, path: str, view: View, resolved: Resolved, ops: Sequence[FileOp]
) -> tuple[int, int] | Rejection | None:
    """Inspect the spliced view: (lines added, lines removed) if it passes, None if unchanged.

    The same view gives the same bytes (encode maps views to bytes one to one), so an
    unchanged view is a no-op, and a no-op is never inspected.
    """
    regions = resolved.regions
    if resolved.whole is None:
        after, starts = splice_text(view.text, regions)
    else:  # a write: its text is the spliced view already
        after, starts = resolved.whole, splice_starts(regions)
    run.watch.lap("apply")
    if after == view.text:
        return None
    edits = [
        Edit(r.start, r.end, r.text, start, r.op_index, ops[r.op_index])
        for r, start in zip(regions, starts, strict=True)
    ]
    rejection = inspect(Change(path, view.text, after, edits), run.settings, run.checks)
    run.watch.lap("inspect")
    return rejection or line_stats(view.text, after, regions, starts)


def _unchanged(path: str, before: bytes, ops: int, old_blob: str | None) -> FileResult:
    blob = old_blob or blob_oid(before)
    return FileResult(
        path=path,
        action="edit",
        new_bytes=before,
        old_blob=blob,
        new_blob=blob,
        ops=ops,
        lines_added=0,
        lines_removed=0,
        bytes_before=len(before),
        bytes_after=len(before),
    )


def _result(
    path: str,
    before: bytes | None,
    new_bytes: bytes,
    old_blob: str | None,
    stats: tuple[int, int],
    *,
    ops: int,
    notes: list[Diagnostic],
) -> FileResult:
    return FileResult(
        path=path,
        action="create" if before is None else "edit",
        new_bytes=new_bytes,
        old_blob=None if before is None else old_blob or blob_oid(before),
        new_blob=blob_oid(new_bytes),
        ops=ops,
        lines_added=stats[0],
        lines_removed=stats[1],
        bytes_before=0 if before is None else len(before),
        bytes_after=len(new_bytes),
        diagnostics=notes,
    )


def _deleted(path: str, before: bytes, old_blob: str) -> FileResult:
    return FileResult(
        path=path,
        action="delete",
        new_bytes=None,
        old_blob=old_blob,
        new_blob=None,
        ops=0,
        lines_added=0,
        lines_removed=line_count(before),
        bytes_before=len(before),
        bytes_after=0,
    )


def check_preconditions(
    edit: ModelFileEdit, shown: Mapping[str, ShownFile], tree_blobs: Mapping[str, str | None]
) -> Rejection | None:
    """The envelope checks of one file against the recorded context and the draft head tree."""
    path = edit.path
    if path not in shown:
        return reject(ReasonCode.NOT_IN_CONTEXT, "the model was not shown this file", path=path)
    recorded, current = shown[path].blob, _lookup(tree_blobs, path)
    if edit.expected_blob is not None and edit.expected_blob != recorded:
        detail = "expected_blob is not the blob the model was shown"
        return reject(
            ReasonCode.BLOB_ECHO_MISMATCH,
            detail,
            path=path,
            expected_blob=recorded,
            actual_blob=edit.expected_blob,
        )
    if edit.action == "create":
        if recorded is None and current is None:
            return None
        detail = "create of a path that exists"
        return reject(ReasonCode.ALREADY_EXISTS, detail, path=path, actual_blob=current or recorded)
    if current != recorded:
        detail = "the file changed since the model was shown it"
        return reject(
            ReasonCode.BLOB_MISMATCH, detail, path=path, expected_blob=recorded, actual_blob=current
        )
    if current is None:  # shown as absent, still absent: the model needed `create`
        return reject(
            ReasonCode.SCHEMA_INVALID, f"{edit.action} of an absent file; use create", path=path
        )
    return None


def _lookup(mapping: Mapping[str, Any], path: str) -> Any:
    if path not in mapping:
        # A caller bug, not a model error: guessing "absent" here could let `create` overwrite.
        raise AssertionError(f"the caller must pass {path!r} (None when absent)")
    return mapping[path]


def apply_response(
    files: Mapping[str, bytes | None],
    proposal: EditProposal,
    tree_blobs: Mapping[str, str | None],
    settings: EditSettings = DEFAULT_SETTINGS,
    *,
    checks: Checks = CHECKS,
    parse_ms: float = 0.0,
    timer: Callable[[], int] = time.perf_counter_ns,
) -> Applied | NoOp | Rejection:
    """Apply a whole proposal in memory: every file, or a Rejection and nothing.

    `files` and `tree_blobs` describe the draft head for every path of the response.
    `parse_ms` (the caller's time in `parse_response`) is reported as timings_ms["parse"].
    """
    watch = _Stopwatch(timer)
    watch.ms["parse"] = parse_ms
    for edit in proposal.response.files:
        problem = check_preconditions(edit, proposal.shown, tree_blobs)
        if problem is not None:
            return problem
    watch.lap("precondition")
    run = _Run(settings, checks, watch)
    results = []
    for edit in proposal.response.files:
        result = _apply_edit(run, edit, proposal, files, tree_blobs)
        if isinstance(result, Rejection):
            return result
        results.append(result)
    changed = [r for r in results if r.new_blob != r.old_blob]
    unchanged = [r.path for r in results if r.new_blob == r.old_blob]
    if not changed:
        return NoOp(files=unchanged)
    timings = {phase: round(ms, 3) for phase, ms in watch.ms.items()}
    return Applied(files=changed, unchanged=unchanged, timings_ms=timings)


def _apply_edit(
    run: _Run,
    edit: ModelFileEdit,
    proposal: EditProposal,
    files: Mapping[str, bytes | None],
    tree_blobs: Mapping[str, str | None],
) -> FileResult | Rejection:
    before: bytes | None = _lookup(files, edit.path)
    old_blob, shown = tree_blobs[edit.path], proposal.shown.get(edit.path)
    if edit.action == "create" or before is None or old_blob is None:
        if before is not None or old_blob is not None:
            raise AssertionError(f"files and tree_blobs disagree about {edit.path!r}")
        return _apply_file(run, edit.path, None, edit.ops, None)
    if edit.action == "delete":
        return _deleted(edit.path, before, old_blob)
    return _apply_file(run, edit.path, before, edit.ops, old_blob, shown=shown)
