"""One answer from the model within a workshop turn: the request in the model's edit format,
the streamed reply, and, when the files did not fit the window, the read tools answered in a
loop (capped, with a guard against a model repeating itself) until the model gives its answer.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from gitbench.config import Environment
from gitbench.edits.schema import ModelEditResponse
from gitbench.edits.textformat import detect_format, parse_document
from gitbench.errors import Action, ErrorCode, GitbenchError
from gitbench.policy.consent import ConsentKey
from gitbench.providers.events import (
    ChatRequest,
    Event,
    Message,
    StructuredAnswer,
    TextDelta,
    ToolCall,
    ToolCallEvent,
    Usage,
)
from gitbench.providers.registry import ModelInfo, cost
from gitbench.services import calls
from gitbench.services.prompts import EDIT_START, SYSTEM, SYSTEM_TEXT, TOOLS_NOTE, ReplyStreamer
from gitbench.services.tools import (
    LOOP_STOP_AT,
    LOOP_WARN_AT,
    LOOP_WINDOW,
    SPECS,
    LoopGuard,
    ToolBox,
)
from gitbench.store.repo import Workbench

MAX_OUTPUT_TOKENS = 16_384


class Answer(BaseModel):
    """The JSON the model answers with: its words, and its edits or null."""

    model_config = ConfigDict(extra="forbid")

    reply: str = Field(max_length=20_000)
    edits: ModelEditResponse | None = None


@dataclass
class Turn:
    """One turn's model, consent, callbacks and running totals (usage, tool calls)."""

    wb: Workbench
    model: ModelInfo
    env: Environment
    ca_bundle: Path | None
    session: frozenset[ConsentKey]
    on_text: Callable[[str], None]
    on_tool: Callable[[str], None]
    max_tool_calls: int
    tools: ToolBox | None = None
    guard: LoopGuard = field(default_factory=LoopGuard)
    tool_calls: int = 0
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    usage: Usage = field(default_factory=lambda: Usage(0, 0))
    trailers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Said:
    """One answer: the words for the person, the edit document (None: no changes), the parsed
    edits when known, and the raw answer (what the model said, for the retry's history)."""

    reply: str
    document: str | None
    edits: ModelEditResponse | None
    raw: str


@dataclass(frozen=True)
class _Exchange:
    text: str
    structured: dict[str, Any] | None
    calls: tuple[ToolCall, ...]


def call(turn: Turn, messages: tuple[Message, ...], fmt: str) -> Said:
    """The model's answer to `messages` in `fmt` (json, or a text format: blocks, udiff)."""
    if fmt != "json":
        return _call_text(turn, messages, fmt)
    answer, raw = _call_json(turn, messages)
    document = answer.edits.model_dump_json() if answer.edits else None
    return Said(answer.reply, document, answer.edits, raw)


def _call_text(turn: Turn, messages: tuple[Message, ...], fmt: str) -> Said:
    """Blocks (or a diff) after the reply, in plain text: the whole answer streams as it is."""
    text = _converse(turn, _request(turn, SYSTEM_TEXT, messages), turn.on_text).text
    if detect_format(text) == "json":
        return Said(text.strip(), None, None, text)
    reply = EDIT_START.split(text, maxsplit=1)[0].strip()
    parsed = parse_document(text, fmt)
    return Said(reply, text, parsed if isinstance(parsed, ModelEditResponse) else None, text)


def _call_json(turn: Turn, messages: tuple[Message, ...]) -> tuple[Answer, str]:
    request = _request(turn, SYSTEM, messages, schema=Answer.model_json_schema())
    streamer = ReplyStreamer(turn.on_text)
    got = _converse(turn, request, streamer.feed)
    if not streamer.streamed and got.structured is not None:
        turn.on_text(str(got.structured.get("reply", "")))
    answer = _parse_answer(turn, got.structured)
    return answer, answer.model_dump_json()


def _request(
    turn: Turn,
    instructions: str,
    messages: tuple[Message, ...],
    schema: dict[str, Any] | None = None,
) -> ChatRequest:
    """The request of one answer: the read tools and their note only when the turn has them."""
    return ChatRequest(
        model="",
        system=instructions + TOOLS_NOTE if turn.tools else instructions,
        messages=messages,
        tools=SPECS if turn.tools else (),
        response_schema=schema,
        schema_name="answer",
        max_output_tokens=min(turn.model.max_output, MAX_OUTPUT_TOKENS),
    )


def _converse(turn: Turn, request: ChatRequest, feed: Callable[[str], None]) -> _Exchange:
    """The model's answer; while it calls the read tools instead, answer them and ask on. The
    loop ends with an answer, or with BUDGET_CAP_REACHED from the cap or the loop guard."""
    messages = request.messages
    while True:
        got = _exchange(turn, replace(request, messages=messages), feed)
        if turn.tools is None or not got.calls or got.structured is not None:
            return got
        results = tuple(_use_tool(turn, c) for c in got.calls)
        messages = (*messages, Message("assistant", got.text, tool_calls=got.calls), *results)


def _exchange(turn: Turn, request: ChatRequest, feed: Callable[[str], None]) -> _Exchange:
    parts: list[str] = []
    structured: dict[str, Any] | None = None
    found: list[ToolCall] = []
    for event in _stream(turn, request):
        if isinstance(event, TextDelta):
            parts.append(event.text)
            feed(event.text)
        elif isinstance(event, StructuredAnswer):
            structured = event.value
        elif isinstance(event, ToolCallEvent):
            found.append(event.call)
    return _Exchange("".join(parts), structured, tuple(found))


def _use_tool(turn: Turn, requested: ToolCall) -> Message:
    assert turn.tools is not None
    turn.tool_calls += 1
    if turn.tool_calls > turn.max_tool_calls:
        raise _capped(
            turn,
            f"the model made {turn.max_tool_calls} tool calls without answering",
            "tool_calls",
        )
    repeats = turn.guard.repeats(requested)
    if repeats >= LOOP_STOP_AT:
        raise _capped(
            turn,
            f"the model made the same {requested.name} call {repeats} times in its last {LOOP_WINDOW} calls",
            "tool_loop",
        )
    turn.on_tool(describe(requested))
    answer = turn.tools.run(requested)
    if repeats >= LOOP_WARN_AT:
        warning = (
            f"warning: this is call number {repeats} with exactly these arguments and the "
            f"answer has not changed; a {LOOP_STOP_AT}th identical call stops the turn."
        )
        turn.on_tool(f"{warning} ({describe(requested)})")
        answer = f"{warning}\n{answer}"
    return Message("tool", answer, tool_call_id=requested.id, tool_name=requested.name)


def describe(requested: ToolCall) -> str:
    """A tool call in one line for the person watching: `read_file notes.md lines 1-40`."""
    args = requested.arguments
    if requested.name == "read_file":
        lines = ""
        if args.get("start_line") or args.get("end_line"):
            lines = f" lines {args.get('start_line') or 1}-{args.get('end_line') or 'end'}"
        return f"read_file {args.get('path', '?')}{lines}"
    if requested.name == "search":
        where = f" in {args['path']}" if args.get("path") else ""
        return f"search {str(args.get('text', ''))!r}{where}"
    return f"{requested.name} {args.get('directory') or ''}".rstrip()


def _capped(turn: Turn, why: str, subphase: str) -> GitbenchError:
    return GitbenchError(
        ErrorCode.BUDGET_CAP_REACHED,
        f"{why}; the turn stopped and nothing was changed",
        phase="tools",
        subphase=subphase,
        actions=(Action.RETRY, Action.SWITCH_MODEL, Action.OPEN_SETTINGS),
        detail={"tool_calls": turn.tool_calls, "max_tool_calls": turn.max_tool_calls},
    )


def _stream(turn: Turn, request: ChatRequest) -> Iterator[Event]:
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


def _parse_answer(turn: Turn, structured: dict[str, Any] | None) -> Answer:
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


def _note_usage(turn: Turn) -> None:
    spent = cost(turn.model, turn.usage.input_tokens, turn.usage.output_tokens)
    turn.trailers.update(
        {
            "Gitbench-Provider": turn.model.provider,
            "Gitbench-Turn": turn.id,
            "Gitbench-Tokens": f"{turn.usage.input_tokens} in, {turn.usage.output_tokens} out",
            "Gitbench-Cost": "unknown" if spent is None else f"${spent:.4f} (estimate)",
        }
    )
