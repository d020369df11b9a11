"""Proposed edits become one commit on the draft, or nothing (spec: the safe edit pipeline).

`apply_document` is `gitbench apply`: a person's or a script's `ModelEditResponse`, applied
with the context recorded as the current draft tip. `run_proposal` is the same path with the
retry policy, for a model: a retryable rejection re-asks (through `propose`) with the fresh
content and the structured reason; a stale edit is never re-stamped.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from gitbench.edits.apply import apply_response, parse_response, shown_bytes
from gitbench.edits.reasons import ReasonCode
from gitbench.edits.results import Applied, NoOp, Rejection, reject
from gitbench.edits.schema import EditProposal, ModelEditResponse
from gitbench.edits.settings import EditSettings
from gitbench.edits.textformat import parse_document
from gitbench.errors import Action, ErrorCode, GitbenchError
from gitbench.paths import first_collision, path_problem
from gitbench.services.models import AppliedFile, ApplyResult
from gitbench.services.session import change, current_commit, record_failure
from gitbench.services.settings import edit_settings
from gitbench.services.shown import Context, RetryRequest, draft_head, record_context, retry_request
from gitbench.store import moves, objects, refs, telemetry
from gitbench.store.repo import Workbench
from gitbench.store.types import DRAFT, ObjectId, RefUpdate

MAX_ATTEMPTS = 2  # spec: max_retries = 1
REF_MOVED_RERUNS = 3


@dataclass(frozen=True)
class Parsed:
    """An answer parsed already, with the size of its document and the time the parse took."""

    response: ModelEditResponse
    size: int
    parse_ms: float


Propose = Callable[[RetryRequest | None], "str | bytes | Parsed"]


@dataclass
class _Run:
    model: str
    settings: EditSettings
    # Extra commit trailers (the workshop's provider, turn, tokens, cost); read at commit time,
    # so a caller may fill them in while the proposal is being made.
    trailers: dict[str, str] = field(default_factory=dict)
    fmt: str = "json"  # what `propose` answers in: json, blocks, udiff or auto
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    proposal_id: str = field(default_factory=lambda: uuid.uuid4().hex)


def apply_document(
    wb: Workbench, raw: str | bytes, model: str = "person", fmt: str = "json"
) -> ApplyResult:
    """Apply a `ModelEditResponse` document to the draft in one attempt, with the context
    recorded as the current draft tip (there is no model to re-ask). `fmt` is json, blocks,
    udiff or auto (detect); a text format is parsed into the same response first."""
    started = time.perf_counter_ns()
    converted = parse_document(raw, fmt)
    if isinstance(converted, Rejection):
        run = _Run(model=model, settings=edit_settings(wb))
        _rejected(wb, run, converted, 1, base=current_commit(wb))
        raise _final_error(wb, run, converted, 1, can_retry=False)
    response = converted if converted is not None else parse_response(raw)
    if isinstance(response, Rejection):  # the attempt records it, as for a model's answer
        context = record_context(wb, [])
        return run_proposal(wb, lambda _retry: raw, model=model, context=context, max_attempts=1)
    # Parsed once, before the files are read: the parse's transient memory never adds to the
    # files' own (issue 6: peak memory at most 4x the file).
    parsed = Parsed(response, len(raw), (time.perf_counter_ns() - started) / 1e6)
    paths = [f.path for f in response.files if not path_problem(f.path)]
    # Applied at once, so the records keep the bytes and views read for them: the apply does
    # not read and decode each file again while its blob is still the one recorded (#6).
    context = record_context(wb, paths, keep=True)
    return run_proposal(wb, lambda _retry: parsed, model=model, context=context, max_attempts=1)


def run_proposal(
    wb: Workbench,
    propose: Propose,
    *,
    model: str,
    context: Context,
    max_attempts: int = MAX_ATTEMPTS,
    trailers: dict[str, str] | None = None,
    fmt: str = "json",
) -> ApplyResult:
    """Ask `propose` for edits against `context` and apply them; a retryable rejection re-asks
    once with fresh content. Raises EDIT_REJECTED (the last rejection's facts) otherwise."""
    run = _Run(
        model=model,
        settings=edit_settings(wb),
        trailers=trailers if trailers is not None else {},
        fmt=fmt,
    )
    retry: RetryRequest | None = None
    for attempt in range(1, max_attempts + 1):
        shown = context if retry is None else Context(draft_head(wb), retry.shown, context.partial)
        outcome = _attempt(wb, run, propose(retry), attempt, shown)
        if retry is not None:
            status = "failed" if isinstance(outcome, Rejection) else "success"
            previous = retry.rejection.reason.value
            _emit(wb, run, "edit.retry", attempt, previous_reason=previous, status=status)
        if not isinstance(outcome, Rejection):
            return outcome
        if not outcome.retryable or attempt == max_attempts:
            raise _final_error(wb, run, outcome, attempt, can_retry=max_attempts > 1)
        retry = retry_request(wb, run.settings, outcome, shown)
    raise AssertionError("unreachable: the loop returns or raises")


def _attempt(
    wb: Workbench, run: _Run, raw: str | bytes | Parsed, attempt: int, context: Context
) -> ApplyResult | Rejection:
    parsed = raw if isinstance(raw, Parsed) else _parse(raw, run.fmt)
    if isinstance(parsed, Rejection):
        return _rejected(wb, run, parsed, attempt, base=current_commit(wb))
    response = parsed.response
    response_paths = [f.path for f in response.files]
    unsafe = next(((p, path_problem(p)) for p in response_paths if path_problem(p)), None)
    if unsafe is not None:
        rejection = reject(ReasonCode.INVALID_PATH, f"{unsafe[0]!r}: {unsafe[1]}", path=unsafe[0])
        return _rejected(wb, run, rejection, attempt, base=current_commit(wb))
    unseen = _whole_file_change_of_partial_read(response, context.partial)
    if unseen is not None:
        return _rejected(wb, run, unseen, attempt, base=current_commit(wb))
    with change(wb, "apply"):
        base = context.base
        proposal = EditProposal(
            proposal_id=run.proposal_id,
            attempt=attempt,
            draft_ref=DRAFT,
            base_commit=base,
            shown=context.shown,
            response=response,
            model=run.model,
        )
        _emit(
            wb,
            run,
            "edit.proposed",
            attempt,
            base_commit=base,
            files=_proposed(proposal),
            response_bytes=parsed.size,
        )
        return _apply_and_commit(wb, run, proposal, parsed.parse_ms)


def _parse(raw: str | bytes, fmt: str) -> Parsed | Rejection:
    started = time.perf_counter_ns()
    converted = parse_document(raw, fmt)
    response = parse_response(raw) if converted is None else converted
    if isinstance(response, Rejection):
        return response
    return Parsed(response, len(raw), (time.perf_counter_ns() - started) / 1e6)


def _apply_and_commit(
    wb: Workbench, run: _Run, proposal: EditProposal, parse_ms: float
) -> ApplyResult | Rejection:
    """Apply against the draft head and move the draft by CAS; if someone moved the draft in
    between (plain git), apply again on the new head without asking the model again."""
    for _ in range(REF_MOVED_RERUNS):
        head = draft_head(wb)
        tip = refs.read_ref(wb, DRAFT)
        tree = objects.commit_info(wb, head).tree
        paths = [f.path for f in proposal.response.files]
        blobs = {p: objects.tree_blob(wb, tree, p) for p in paths}
        # The precondition compares these tree ids with the recorded blobs; bytes kept on a
        # record are used only while the tree still holds that very blob (same id, same bytes).
        files = {
            p: shown_bytes(proposal.shown, p, b) or (objects.read_blob(wb, b) if b else None)
            for p, b in blobs.items()
        }
        outcome = apply_response(files, proposal, blobs, run.settings, parse_ms=parse_ms)
        if isinstance(outcome, Rejection):
            return _rejected(wb, run, outcome, proposal.attempt, base=head)
        if isinstance(outcome, NoOp):
            _emit(wb, run, "edit.noop", proposal.attempt, base_commit=head, files=outcome.files)
            return ApplyResult(
                proposal_id=run.proposal_id,
                status="noop",
                commit=None,
                attempts=proposal.attempt,
                files=[],
                timings_ms={},
            )
        clash = _clash(wb, tree, outcome)
        if clash is not None:
            return _rejected(wb, run, clash, proposal.attempt, base=head)
        try:
            return _commit(wb, run, proposal=proposal, applied=outcome, head=head, tip=tip)
        except GitbenchError as exc:
            if exc.code is not ErrorCode.CONCURRENT_UPDATE:
                raise
            _emit(
                wb,
                run,
                "edit.rejected",
                proposal.attempt,
                stage="commit",
                reason=ReasonCode.REF_MOVED.value,
                retryable=True,
                detail="the draft moved; applying again on its new head",
            )
    raise GitbenchError(
        ErrorCode.CONCURRENT_UPDATE,
        "the draft kept moving while the edit was applied; nothing was changed",
        phase="commit",
        retryable=True,
    )


def _commit(
    wb: Workbench,
    run: _Run,
    *,
    proposal: EditProposal,
    applied: Applied,
    head: ObjectId,
    tip: ObjectId | None,
) -> ApplyResult:
    started = time.perf_counter_ns()
    changes: dict[str, ObjectId | None] = {}
    for result in applied.files:
        blob = None if result.new_bytes is None else objects.write_blob(wb, result.new_bytes)
        assert blob == result.new_blob, (
            f"{result.path}: the store and the pipeline disagree on the blob"
        )
        changes[result.path] = blob
    tree = objects.build_tree(wb, objects.commit_info(wb, head).tree, changes)
    commit = objects.create_commit(wb, tree, [head], _message(proposal, run))
    write_ms = (time.perf_counter_ns() - started) / 1e6
    moves.move_refs(wb, [RefUpdate(DRAFT, tip, commit)], f"gitbench: apply {run.proposal_id[:12]}")
    ref_ms = (time.perf_counter_ns() - started) / 1e6 - write_ms
    timings = applied.with_timings(write=round(write_ms, 3), ref=round(ref_ms, 3)).timings_ms
    files = [f.telemetry() for f in applied.files]
    _emit(
        wb,
        run,
        "edit.applied",
        proposal.attempt,
        base_commit=head,
        head_commit=commit,
        new_commit=commit,
        files=files,
        timings_ms=timings,
    )
    return ApplyResult(
        proposal_id=run.proposal_id,
        status="applied",
        commit=commit,
        attempts=proposal.attempt,
        files=[
            AppliedFile(
                path=f.path,
                action=f.action,
                old_blob=f.old_blob,
                new_blob=f.new_blob,
                lines_added=f.lines_added,
                lines_removed=f.lines_removed,
            )
            for f in applied.files
        ],
        timings_ms=timings,
    )


def _message(proposal: EditProposal, run: _Run) -> str:
    response = proposal.response
    body = f"\n\n{response.rationale.strip()}" if response.rationale else ""
    trailers = (
        f"Gitbench-Proposal: {run.proposal_id}\n"
        f"Gitbench-Base: {proposal.base_commit}\n"
        f"Gitbench-Model: {run.model}\n"
        f"Gitbench-Attempt: {proposal.attempt}\n"
    ) + "".join(f"{key}: {value}\n" for key, value in run.trailers.items())
    return f"{response.summary.strip()}{body}\n\n{trailers}"


def _whole_file_change_of_partial_read(
    response: ModelEditResponse, partial: frozenset[str]
) -> Rejection | None:
    for f in response.files:
        if f.path in partial and (f.action == "delete" or any(o.op == "write" for o in f.ops)):
            return reject(
                ReasonCode.NOT_IN_CONTEXT,
                f"{f.path} was read only in part: read all of it before a whole-file "
                f"{'delete' if f.action == 'delete' else 'write'}",
                path=f.path,
            )
    return None


def _clash(wb: Workbench, tree: ObjectId, applied: Applied) -> Rejection | None:
    created = [f.path for f in applied.files if f.action == "create"]
    existing = [f.path for f in objects.tree_files(wb, tree, with_sizes=False)]
    found = first_collision(created, existing) if created else None
    if found is None:
        return None
    return reject(ReasonCode.INVALID_PATH, found[1], path=found[0])


def _rejected(
    wb: Workbench, run: _Run, rejection: Rejection, attempt: int, *, base: ObjectId | None
) -> Rejection:
    facts = rejection.model_dump(mode="json", exclude={"stage", "reason"})
    _emit(
        wb,
        run,
        "edit.rejected",
        attempt,
        base_commit=base,
        stage=rejection.stage.value,
        reason=rejection.reason.value,
        **facts,
    )
    record_failure(wb, "apply", rejection.to_error())
    return rejection


def _final_error(
    wb: Workbench, run: _Run, last: Rejection, attempts: int, *, can_retry: bool
) -> GitbenchError:
    error = last.to_error()
    if not can_retry:
        # Nobody to re-ask: the same document would fail the same way.
        error.actions = (Action.VIEW_REPORT, Action.REVIEW_DRAFT)
    if attempts > 1 and last.retryable:
        _emit(
            wb,
            run,
            "edit.rejected",
            attempts,
            stage="retry",
            reason=ReasonCode.RETRY_EXHAUSTED.value,
            retryable=False,
            last_reason=last.reason.value,
            attempts=attempts,
        )
        error.subphase = ReasonCode.RETRY_EXHAUSTED.value
        error.detail = {**error.detail, "last_reason": last.reason.value, "attempts": attempts}
        error.message = f"edit rejected after {attempts} attempts; last: {error.message}"
    return error


def _proposed(proposal: EditProposal) -> list[dict[str, object]]:
    return [
        {
            "path": f.path,
            "shown_blob": shown.blob if (shown := proposal.shown.get(f.path)) else None,
            "op_kinds": [o.op for o in f.ops],
            "action": f.action,
        }
        for f in proposal.response.files
    ]


def _emit(wb: Workbench, run: _Run, event: str, attempt: int, **fields: object) -> None:
    telemetry.emit(
        wb,
        event,
        run_id=run.run_id,
        proposal_id=run.proposal_id,
        attempt=attempt,
        draft_ref=DRAFT,
        model=run.model,
        policy_decision_id=None,
        **fields,
    )
