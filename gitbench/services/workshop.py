"""`gitbench ask` and each turn of `gitbench chat`: one turn with a model. Its file changes
arrive as a commit on the draft, through the policy gate and the safe edit pipeline; nothing
here bypasses either.

A turn: choose the model, build the context (the draft's text files when they fit the model's
window, else their list and read-only tools; opaque files by name, kind and size only), call
the model with the answer schema, stream its reply, then pass its edits (if any) to
`proposals.run_proposal`, which re-asks once with fresh content when a retryable check fails.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from gitbench.clock import iso
from gitbench.config import Environment, setting
from gitbench.edits.apply import shown_bytes
from gitbench.edits.schema import ModelEditResponse, ShownFile
from gitbench.errors import Action, ErrorCode, GitbenchError
from gitbench.policy.consent import ConsentKey
from gitbench.providers.events import Message
from gitbench.providers.registry import PROVIDERS, ModelInfo, cost, model_info
from gitbench.services import conversation
from gitbench.services.answers import MAX_OUTPUT_TOKENS, Said, Turn, call
from gitbench.services.clutter import clutter
from gitbench.services.consent import consent_key, require_consent
from gitbench.services.model_choice import edit_format, effective_model
from gitbench.services.models import AskResult
from gitbench.services.prompts import files_prompt, retry_prompt
from gitbench.services.proposals import run_proposal
from gitbench.services.review import diff_draft, review
from gitbench.services.session import current_commit, record_failure
from gitbench.services.settings import edit_settings, read_setting
from gitbench.services.shown import Context, RetryRequest, record_context
from gitbench.services.tools import ToolBox
from gitbench.store import kinds, objects, refs
from gitbench.store.repo import Workbench
from gitbench.store.types import DRAFT, ObjectId, TreeFile

# Room kept for the instructions and the answer's framing, in tokens (chars / 4).
INSTRUCTION_TOKENS = 1_500
HISTORY_ENTRIES = 20
# The draft's diff goes into the prompt only up to this size; its file list always does.
DRAFT_DIFF_CHARS = 6_000
# Below this many tokens left for reading, a turn with tools could not read anything useful.
MIN_READ_TOKENS = 2_000


def ask(
    wb: Workbench,
    message: str,
    *,
    env: Environment,
    model_override: str | None = None,
    grant_for_session: bool = False,
    session: frozenset[ConsentKey] = frozenset(),
    only: tuple[str, ...] = (),
    exclude: tuple[str, ...] = (),
    on_text: Callable[[str], None] = lambda _text: None,
    on_tool: Callable[[str], None] = lambda _line: None,
    ca_bundle: Path | None = None,
) -> AskResult:
    """One turn: the model's reply, and a draft commit when it proposed edits that pass every
    check. `session` holds consent a chat session was given. Failures are recorded as failure
    notes and raised with their next commands; Ctrl-C ends the turn as USER_CANCELED."""
    try:
        info = _chosen_model(wb, model_override)
        key = consent_key(wb, info.id)
        if grant_for_session:
            session |= {key}
        require_consent(wb, key, session)  # fail fast: nothing built, nothing saved
        turn = Turn(
            wb,
            info,
            env,
            ca_bundle,
            session,
            on_text,
            on_tool,
            max_tool_calls=int(read_setting(wb, setting("workshop.max_tool_calls"))),
        )
        return _ask(wb, turn, message, only, exclude)
    except KeyboardInterrupt:
        error = GitbenchError(
            ErrorCode.USER_CANCELED, "turn canceled; nothing was changed", phase="ask"
        )
        conversation.record_event(wb, "turn canceled", code=error.code.value)
        raise error from None
    except GitbenchError as error:
        if error.code is not ErrorCode.EDIT_REJECTED:  # proposals recorded those already
            record_failure(wb, "ask", error)
        what = (
            "rejected" if error.code is ErrorCode.EDIT_REJECTED else f"failed: {error.code.value}"
        )
        conversation.record_event(wb, f"turn {what}", code=error.code.value)
        raise


def _chosen_model(wb: Workbench, override: str | None) -> ModelInfo:
    chosen = effective_model(wb, override).id
    if chosen is None:
        raise GitbenchError(
            ErrorCode.PROVIDER_NOT_CONFIGURED,
            "no model chosen: pass --model ID, or set one with gitbench model default ID",
            phase="model",
            actions=(Action.SWITCH_MODEL,),
        )
    return model_info(chosen)


def _ask(
    wb: Workbench, turn: Turn, message: str, only: tuple[str, ...], exclude: tuple[str, ...]
) -> AskResult:
    history = _history(wb)
    changes = _draft_changes(wb)
    said = message + changes
    plan = _plan(wb, turn.model, only=only, exclude=exclude, history=history, message=said)
    turn.tools = plan.tools
    # The records keep the bytes they read: the prompt is built from them, and the apply uses
    # them again while each file still holds the blob shown (no second read of any file).
    context = None if plan.tools else record_context(wb, plan.inline, keep=True)
    contents = _contents(context) if context else {}
    conversation.append_entries(wb, [_entry(wb, "user", message, turn.id)])
    fmt = edit_format(turn.model.id)
    asked = (*history, Message("user", files_prompt(plan.listing, contents, changes, message)))
    first = call(turn, asked, fmt)
    conversation.append_entries(wb, [_entry(wb, "assistant", first.reply, turn.id)])
    if plan.tools is not None:
        shown, partial = plan.tools.shown(edit_settings(wb))
        context = Context(base=plan.base, shown=shown, partial=partial)
    assert context is not None
    if first.document is None:
        conversation.record_event(wb, "turn made no changes", turn=turn.id)
        return _result(turn, first.reply, status="no_changes")
    if first.edits is not None:
        context = _with_creations(wb, context, first.edits)
    return _propose(turn, first, asked, fmt, context)


def _propose(
    turn: Turn, first: Said, asked: tuple[Message, ...], fmt: str, context: Context
) -> AskResult:
    had_draft = refs.read_ref(turn.wb, DRAFT) is not None
    answers = iter([first.document])
    said_first = Message("assistant", first.raw)

    def propose(retry: RetryRequest | None) -> str:
        if retry is None:
            return next(answers) or ""
        again = call(turn, (*asked, said_first, Message("user", retry_prompt(retry))), fmt)
        return again.document or '{"files": []}'

    applied = run_proposal(
        turn.wb, propose, model=turn.model.id, context=context, trailers=turn.trailers, fmt=fmt
    )
    status = "applied" if applied.status == "applied" else "no_changes"
    if status == "applied" and not had_draft:
        conversation.record_event(turn.wb, "draft created", turn=turn.id, commit=applied.commit)
    conversation.record_event(turn.wb, f"turn {status}", turn=turn.id, commit=applied.commit)
    return _result(
        turn, first.reply, status=status, commit=applied.commit, attempts=applied.attempts
    )


def _entry(wb: Workbench, kind: str, text: str, turn: str) -> conversation.ConversationEntry:
    return conversation.ConversationEntry(kind=kind, text=text, at=iso(wb.clock.now()), turn=turn)  # type: ignore[arg-type]


def _with_creations(wb: Workbench, context: Context, edits: ModelEditResponse) -> Context:
    """The model saw the whole file list, so a file it creates was shown to it as absent:
    record that, so the pipeline still refuses a create over an existing file."""
    tree = objects.commit_info(wb, context.base).tree
    absent = {
        f.path: ShownFile(path=f.path, blob=None, eol="none", bom=False)
        for f in edits.files
        if f.action == "create"
        and f.path not in context.shown
        and objects.tree_blob(wb, tree, f.path) is None
    }
    return Context(base=context.base, shown={**context.shown, **absent}, partial=context.partial)


@dataclass(frozen=True)
class _Plan:
    """What the model gets: every file listed, and either the text files' content (`inline`)
    or, when that does not fit, read tools over the draft at `base`."""

    base: ObjectId
    listing: list[str]
    inline: list[str]
    tools: ToolBox | None


def _plan(
    wb: Workbench,
    info: ModelInfo,
    *,
    only: tuple[str, ...],
    exclude: tuple[str, ...],
    history: list[Message],
    message: str,
) -> _Plan:
    """Send the text files whole when they fit the window; else their list and read tools.
    CONTEXT_EXHAUSTED when even the list leaves too little room to read anything."""
    base = current_commit(wb)
    assert base is not None
    tree = objects.commit_info(wb, base).tree
    files = [f for f in objects.tree_files(wb, tree) if _chosen(f.path, only, exclude)]
    kind_of = kinds.blob_kinds(wb, sorted({f.blob for f in files}))
    listing = [f"{f.path} ({kind_of[f.blob]}, {f.size} bytes)" for f in files]
    text = [f for f in files if kind_of[f.blob] == "text"]
    spoken = sum(len(m.text) for m in history) + len(message)
    room = (
        info.context_window
        - min(info.max_output, MAX_OUTPUT_TOKENS)
        - INSTRUCTION_TOKENS
        - (spoken + sum(len(line) + 3 for line in listing)) // 4
    )
    if sum(f.size for f in text) // 4 <= room:
        return _Plan(base, listing, [f.path for f in text], None)
    if room < MIN_READ_TOKENS:
        raise _exhausted(info, text, len(files), room)
    reader = ToolBox(files, kind_of, lambda blob: objects.read_blob(wb, blob), room)
    return _Plan(base, listing, [], reader)


def _exhausted(info: ModelInfo, text: list[TreeFile], count: int, room: int) -> GitbenchError:
    biggest = sorted(text, key=lambda f: f.size, reverse=True)[:5]
    return GitbenchError(
        ErrorCode.CONTEXT_EXHAUSTED,
        f"the list of {count:,} files and the conversation leave {max(room, 0):,} tokens of "
        f"{info.id}'s window to read files in; at least {MIN_READ_TOKENS:,} are needed",
        phase="context",
        actions=(Action.SWITCH_MODEL,),
        detail={
            "largest": [f.path for f in biggest],
            "files": count,
            "hint": "gitbench ask MESSAGE --only PATH (or --exclude PATH)",
        },
    )


def _chosen(path: str, only: tuple[str, ...], exclude: tuple[str, ...]) -> bool:
    def under(names: tuple[str, ...]) -> bool:
        return any(path == n or path.startswith(n.rstrip("/") + "/") for n in names)

    return (not only or under(only)) and not under(exclude)


def _contents(context: Context) -> dict[str, str]:
    """The text of each shown file, from the bytes its record kept when it was read."""
    found = {}
    for path, record in context.shown.items():
        data = shown_bytes(context.shown, path, record.blob)
        assert data is not None, f"{path}: recorded without its bytes"
        found[path] = data.decode("utf-8")
    return found


def _draft_changes(wb: Workbench) -> str:
    """What the draft already changes against main, so the model knows what earlier turns
    (or people) did: the files, and the diff itself when it is short."""
    if refs.read_ref(wb, DRAFT) is None:
        return ""
    summary = review(wb)
    lines = [f"- {f.status} {f.path} (+{f.additions} -{f.deletions})" for f in summary.files]
    patch = diff_draft(wb).patch
    shown = patch if len(patch) <= DRAFT_DIFF_CHARS else "(the diff is long: not included)"
    return "\n".join(lines) + "\n\n" + shown


def _history(wb: Workbench) -> list[Message]:
    entries = [e for e in conversation.read_entries(wb) if e.kind in ("user", "assistant")]
    return [
        Message("user" if e.kind == "user" else "assistant", e.text)
        for e in entries[-HISTORY_ENTRIES:]
    ]


def _result(
    turn: Turn, reply: str, *, status: str, commit: str | None = None, attempts: int = 1
) -> AskResult:
    spent = cost(turn.model, turn.usage.input_tokens, turn.usage.output_tokens)
    has_draft = refs.read_ref(turn.wb, DRAFT) is not None
    return AskResult(
        turn=turn.id,
        model=turn.model.id,
        local=PROVIDERS[turn.model.provider].local,
        reply=reply,
        status=status,  # type: ignore[arg-type]
        commit=commit,
        attempts=attempts,
        tool_calls=turn.tool_calls,
        input_tokens=turn.usage.input_tokens,
        output_tokens=turn.usage.output_tokens,
        cost_usd=spent,
        draft=review(turn.wb) if has_draft else None,
        clutter=clutter(turn.wb, turn.model.id),
    )
