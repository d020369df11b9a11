"""`gitbench ask`: one turn with a model. Its file changes arrive as a commit on the draft,
through the policy gate and the safe edit pipeline; nothing here bypasses either.

A turn: choose the model, build the context (the draft's text files that fit the model's
window; opaque files by name, kind and size only), call the model with the answer schema,
stream its reply, then pass its edits (if any) to `proposals.run_proposal`, which re-asks once
with fresh content when a retryable check fails.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from gitbench.clock import iso
from gitbench.config import Environment
from gitbench.edits.schema import ModelEditResponse, ShownFile
from gitbench.edits.textformat import detect_format, parse_document
from gitbench.errors import Action, ErrorCode, GitbenchError
from gitbench.policy.consent import ConsentKey
from gitbench.providers.events import (
    ChatRequest,
    Event,
    Message,
    StructuredAnswer,
    TextDelta,
    Usage,
)
from gitbench.providers.registry import PROVIDERS, ModelInfo, cost, model_info
from gitbench.services import calls, conversation
from gitbench.services.consent import current_scope
from gitbench.services.model_choice import edit_format, effective_model
from gitbench.services.models import AskResult
from gitbench.services.proposals import Context, RetryRequest, record_context, run_proposal
from gitbench.services.session import current_commit, record_failure
from gitbench.store import kinds, objects
from gitbench.store.repo import Workbench

# Room kept for the instructions, the conversation and the answer, in tokens (chars / 4).
INSTRUCTION_TOKENS = 1_500
HISTORY_ENTRIES = 20

SYSTEM = """You are working on a set of files in a gitbench workbench, with a person who reviews
every change before it is published. Answer in JSON with two fields:
- "reply": what you tell the person (plain text, short).
- "edits": null when no file needs to change; otherwise the edits, in this schema:
  {"summary": "<commit subject, at most 200 characters>", "rationale": "<optional>",
   "files": [{"path": "<a file shown below>", "action": "edit" | "create" | "delete",
              "ops": [{"op": "replace", "search": "<exact text that occurs once>", "replace": "<new text>"}
                      | {"op": "write", "content": "<the whole new file>"}]}]}
Rules: search text must be copied exactly from the file and occur once; to create a file use
action "create" with one "write" op; never touch a file that was not shown to you."""


SYSTEM_TEXT = """You are working on a set of files in a gitbench workbench, with a person who
reviews every change before it is published. First write your reply to the person (plain text,
short). Then, only if files must change, give the edits as SEARCH/REPLACE blocks, each under a
line naming the file:

notes.md
<<<<<<< SEARCH
exact lines from the file, occurring once
=======
the new lines
>>>>>>> REPLACE

To create a file: its path, then <<<<<<< CREATE, the content, >>>>>>> CREATE. To delete one:
its path, then <<<<<<< DELETE and >>>>>>> DELETE. Never touch a file that was not shown to you.
When nothing needs to change, write only the reply."""

# Where the edits begin in a text answer: the prose before this is the reply.
_EDIT_START = re.compile(
    r"^(?:.*\n)?(?=<{5,9} (?:SEARCH|CREATE|WRITE|DELETE))|^(?=--- )", re.MULTILINE
)


class Answer(BaseModel):
    """The JSON the model answers with: its words, and its edits or null."""

    model_config = ConfigDict(extra="forbid")

    reply: str = Field(max_length=20_000)
    edits: ModelEditResponse | None = None


@dataclass
class _Turn:
    wb: Workbench
    model: ModelInfo
    env: Environment
    ca_bundle: Path | None
    session: frozenset[ConsentKey]
    on_text: Callable[[str], None]
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    usage: Usage = field(default_factory=lambda: Usage(0, 0))
    trailers: dict[str, str] = field(default_factory=dict)


def ask(
    wb: Workbench,
    message: str,
    *,
    env: Environment,
    model_override: str | None = None,
    grant_for_session: bool = False,
    only: tuple[str, ...] = (),
    exclude: tuple[str, ...] = (),
    on_text: Callable[[str], None] = lambda _text: None,
    ca_bundle: Path | None = None,
) -> AskResult:
    """One turn: the model's reply, and a draft commit when it proposed edits that pass every
    check. Failures are recorded as failure notes and raised with their next commands."""
    try:
        return _ask(
            wb, message, env, model_override, grant_for_session, only, exclude, on_text, ca_bundle
        )
    except GitbenchError as error:
        if error.code is not ErrorCode.EDIT_REJECTED:  # proposals recorded those already
            record_failure(wb, "ask", error)
        conversation.record_event(wb, f"turn failed: {error.code.value}", code=error.code.value)
        raise


def _ask(  # noqa: PLR0917 - the public signature's keywords, passed through once
    wb: Workbench,
    message: str,
    env: Environment,
    model_override: str | None,
    grant_for_session: bool,
    only: tuple[str, ...],
    exclude: tuple[str, ...],
    on_text: Callable[[str], None],
    ca_bundle: Path | None,
) -> AskResult:
    chosen = effective_model(wb, model_override)
    if chosen.id is None:
        raise GitbenchError(
            ErrorCode.PROVIDER_NOT_CONFIGURED,
            "no model chosen: pass --model ID, or set one with gitbench model default ID",
            phase="model",
            actions=(Action.SWITCH_MODEL,),
        )
    info = model_info(chosen.id)
    key = ConsentKey(info.provider, info.name, current_scope(wb).scope_hash)
    turn = _Turn(
        wb, info, env, ca_bundle, frozenset({key}) if grant_for_session else frozenset(), on_text
    )
    paths, listing = _context_files(wb, info, only, exclude)
    context = record_context(wb, paths)
    history = _history(wb)
    conversation.append_entries(wb, [_entry(wb, "user", message, turn.id)])
    fmt = edit_format(chosen.id)
    first = _call(turn, _prompt(wb, context, listing, message), history, fmt)
    conversation.append_entries(wb, [_entry(wb, "assistant", first.reply, turn.id)])
    if first.document is None:
        conversation.record_event(wb, "turn made no changes", turn=turn.id)
        return _result(turn, first.reply, status="no_changes")
    if first.edits is not None:
        context = _with_creations(wb, context, first.edits)
    answers = iter([first.document])

    def propose(retry: RetryRequest | None) -> str:
        if retry is None:
            return next(answers)
        again = _call(turn, _retry_prompt(retry), history, fmt)
        return again.document or '{"files": []}'

    applied = run_proposal(
        wb, propose, model=chosen.id, context=context, trailers=turn.trailers, fmt=fmt
    )
    status = "applied" if applied.status == "applied" else "no_changes"
    conversation.record_event(wb, f"turn {status}", turn=turn.id, commit=applied.commit)
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
    return Context(base=context.base, shown={**context.shown, **absent})


@dataclass(frozen=True)
class _Said:
    """One answer: the words for the person, and the edit document (None: no changes)."""

    reply: str
    document: str | None
    edits: ModelEditResponse | None


def _call(turn: _Turn, prompt: str, history: list[Message], fmt: str) -> _Said:
    if fmt != "json":
        return _call_text(turn, prompt, history, fmt)
    answer = _call_json(turn, prompt, history)
    document = answer.edits.model_dump_json() if answer.edits else None
    return _Said(answer.reply, document, answer.edits)


def _call_text(turn: _Turn, prompt: str, history: list[Message], fmt: str) -> _Said:
    """Blocks (or a diff) after the reply, in plain text: the whole answer streams as it is."""
    request = ChatRequest(
        model="",
        system=SYSTEM_TEXT,
        messages=(*history, Message("user", prompt)),
        max_output_tokens=min(turn.model.max_output, 16_384),
    )
    parts: list[str] = []
    for event in _stream(turn, request):
        if isinstance(event, TextDelta):
            parts.append(event.text)
            turn.on_text(event.text)
    text = "".join(parts)
    if detect_format(text) == "json":
        return _Said(text.strip(), None, None)
    reply = _EDIT_START.split(text, maxsplit=1)[0].strip()
    parsed = parse_document(text, fmt)
    return _Said(reply, text, parsed if isinstance(parsed, ModelEditResponse) else None)


def _stream(turn: _Turn, request: ChatRequest) -> Iterator[Event]:
    """The model's events; usage is added to the turn's and the trailers follow it."""
    for event in calls.stream_model(
        turn.wb,
        turn.model.id,
        request,
        env=turn.env,
        ca_bundle=turn.ca_bundle,
        session=turn.session,
    ):
        if isinstance(event, Usage):
            turn.usage = Usage(
                turn.usage.input_tokens + event.input_tokens,
                turn.usage.output_tokens + event.output_tokens,
            )
        yield event
    _note_usage(turn)


def _call_json(turn: _Turn, prompt: str, history: list[Message]) -> Answer:
    request = ChatRequest(
        model="",
        system=SYSTEM,
        messages=(*history, Message("user", prompt)),
        response_schema=Answer.model_json_schema(),
        schema_name="answer",
        max_output_tokens=min(turn.model.max_output, 16_384),
    )
    streamer = ReplyStreamer(turn.on_text)
    structured: dict[str, Any] | None = None
    for event in _stream(turn, request):
        if isinstance(event, TextDelta):
            streamer.feed(event.text)
        elif isinstance(event, StructuredAnswer):
            structured = event.value
    if not streamer.streamed and structured is not None:
        turn.on_text(str(structured.get("reply", "")))
    return _parse_answer(turn, structured)


def _parse_answer(turn: _Turn, structured: dict[str, Any] | None) -> Answer:
    try:
        return Answer.model_validate(structured or {})
    except ValidationError as exc:
        raise GitbenchError(
            ErrorCode.PROVIDER_UNAVAILABLE,
            f"{turn.model.id} answered outside the answer schema",
            phase="provider",
            subphase="answer_schema",
            actions=(Action.RETRY, Action.SWITCH_MODEL),
            retryable=True,
            detail={"errors": exc.errors(include_url=False, include_input=False)[:5]},
        ) from exc


def _note_usage(turn: _Turn) -> None:
    spent = cost(turn.model, turn.usage.input_tokens, turn.usage.output_tokens)
    turn.trailers.update(
        {
            "Gitbench-Provider": turn.model.provider,
            "Gitbench-Turn": turn.id,
            "Gitbench-Tokens": f"{turn.usage.input_tokens} in, {turn.usage.output_tokens} out",
            "Gitbench-Cost": "unknown" if spent is None else f"${spent:.4f} (estimate)",
        }
    )


def _context_files(
    wb: Workbench, info: ModelInfo, only: tuple[str, ...], exclude: tuple[str, ...]
) -> tuple[list[str], list[str]]:
    """The text files whose content is sent, and a listing of every file (opaque files by
    kind and size only). CONTEXT_EXHAUSTED when the text does not fit the model's window."""
    head = current_commit(wb)
    assert head is not None
    files = [
        f
        for f in objects.tree_files(wb, objects.commit_info(wb, head).tree)
        if _chosen(f.path, only, exclude)
    ]
    kind_of = kinds.blob_kinds(wb, sorted({f.blob for f in files}))
    listing = [f"{f.path} ({kind_of[f.blob]}, {f.size} bytes)" for f in files]
    text = [f for f in files if kind_of[f.blob] == "text"]
    budget = info.context_window - min(info.max_output, 16_384) - INSTRUCTION_TOKENS
    needed = sum(f.size for f in text) // 4
    if needed > budget:
        biggest = sorted(text, key=lambda f: f.size, reverse=True)[:5]
        raise GitbenchError(
            ErrorCode.CONTEXT_EXHAUSTED,
            f"the files need about {needed:,} tokens; {info.id} has room for {budget:,}",
            phase="context",
            actions=(Action.SWITCH_MODEL,),
            detail={
                "largest": [f.path for f in biggest],
                "hint": "gitbench ask MESSAGE --exclude PATH (or --only PATH)",
            },
        )
    return [f.path for f in text], listing


def _chosen(path: str, only: tuple[str, ...], exclude: tuple[str, ...]) -> bool:
    def under(names: tuple[str, ...]) -> bool:
        return any(path == n or path.startswith(n.rstrip("/") + "/") for n in names)

    return (not only or under(only)) and not under(exclude)


def _prompt(wb: Workbench, context: Context, listing: list[str], message: str) -> str:
    tree = objects.commit_info(wb, context.base).tree
    parts = ["Files in the workbench:", *(f"- {line}" for line in listing), ""]
    for path in context.shown:
        blob = objects.tree_blob(wb, tree, path)
        text = objects.read_blob(wb, blob).decode("utf-8") if blob else ""
        parts += [f"=== {path} ===", text, f"=== end of {path} ===", ""]
    parts.append(f"Request: {message}")
    return "\n".join(parts)


def _retry_prompt(retry: RetryRequest) -> str:
    r = retry.rejection
    parts = [
        f"Your edits were refused ({r.reason.value}): {r.detail}",
        f"Diagnostics: {json.dumps(r.diagnostics)[:2000]}",
        "Here is the current content. Send a complete new answer; the earlier edits were not applied.",
    ]
    for path, text in retry.content.items():
        parts += [f"=== {path} ===", text, f"=== end of {path} ==="]
    return "\n".join(parts)


def _history(wb: Workbench) -> list[Message]:
    entries = [e for e in conversation.read_entries(wb) if e.kind in ("user", "assistant")]
    return [
        Message("user" if e.kind == "user" else "assistant", e.text)
        for e in entries[-HISTORY_ENTRIES:]
    ]


def _result(
    turn: _Turn, reply: str, *, status: str, commit: str | None = None, attempts: int = 1
) -> AskResult:
    spent = cost(turn.model, turn.usage.input_tokens, turn.usage.output_tokens)
    return AskResult(
        turn=turn.id,
        model=turn.model.id,
        local=PROVIDERS[turn.model.provider].local,
        reply=reply,
        status=status,  # type: ignore[arg-type]
        commit=commit,
        attempts=attempts,
        input_tokens=turn.usage.input_tokens,
        output_tokens=turn.usage.output_tokens,
        cost_usd=spent,
    )


class ReplyStreamer:
    """Shows the `reply` field of the JSON answer as it streams in: the model writes it first,
    so a person reads the reply while the edits are still arriving."""

    _KEY = '"reply"'

    def __init__(self, sink: Callable[[str], None]) -> None:
        self._sink = sink
        self._buffer = ""
        self._state = "seek"  # seek -> colon -> string -> done
        self._escape = ""
        self.streamed = False

    def feed(self, text: str) -> None:
        for char in text:
            self._step(char)

    def _step(self, char: str) -> None:
        if self._state == "seek":
            self._buffer = (self._buffer + char)[-len(self._KEY) :]
            if self._buffer == self._KEY:
                self._state = "colon"
        elif self._state == "colon":
            if char == '"':
                self._state = "string"
        elif self._state == "string":
            self._string(char)

    def _string(self, char: str) -> None:
        if self._escape:
            self._escape += char
            if self._escape[:2] == "\\u" and len(self._escape) < 6:
                return
            self._emit(json.loads(f'"{self._escape}"'))
            self._escape = ""
        elif char == "\\":
            self._escape = char
        elif char == '"':
            self._state = "done"
        else:
            self._emit(char)

    def _emit(self, text: str) -> None:
        self.streamed = True
        self._sink(text)
