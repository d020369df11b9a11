"""OpenAI Chat Completions (streaming SSE): OpenAI itself, Mistral, and local servers (Ollama,
llama.cpp, vLLM, LM Studio) that speak the same format at a loopback base URL."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from gitbench.providers.events import (
    ChatRequest,
    Event,
    Finished,
    Message,
    StopReason,
    StructuredAnswer,
    TextDelta,
    ToolCall,
    ToolCallEvent,
    Usage,
)
from gitbench.providers.failures import json_object, malformed
from gitbench.providers.schemas import drop_nulls, openai_strict
from gitbench.providers.sse import ServerEvent

PATH = "/chat/completions"

_STOP: dict[str, StopReason] = {
    "stop": "end",
    "length": "max_tokens",
    "tool_calls": "tool_use",
    "function_call": "tool_use",
    "content_filter": "content_filter",
}


def build_body(request: ChatRequest, *, structured: bool = True) -> dict[str, Any]:
    """The JSON body. `structured`: the server supports `response_format` json_schema (strict);
    otherwise the schema is only described and the answer validated as JSON text."""
    body: dict[str, Any] = {
        "model": request.model,
        "messages": [{"role": "system", "content": request.system}]
        + [_message(m) for m in request.messages],
        "stream": True,
        "stream_options": {"include_usage": True},
        "max_tokens": request.max_output_tokens,
    }
    if request.temperature is not None:
        body["temperature"] = request.temperature
    if request.tools:
        body["tools"] = [
            {
                "type": "function",
                "function": {
                    "name": t.name,
                    "description": t.description,
                    "parameters": t.parameters,
                },
            }
            for t in request.tools
        ]
    if request.response_schema is not None and structured:
        body["response_format"] = {
            "type": "json_schema",
            "json_schema": {
                "name": request.schema_name,
                "schema": openai_strict(request.response_schema),
                "strict": True,
            },
        }
    return body


def headers(key: str | None) -> dict[str, str]:
    found = {"content-type": "application/json", "accept": "text/event-stream"}
    if key:
        found["authorization"] = f"Bearer {key}"
    return found


def _message(message: Message) -> dict[str, Any]:
    if message.role == "tool":
        return {"role": "tool", "tool_call_id": message.tool_call_id, "content": message.text}
    out: dict[str, Any] = {"role": message.role, "content": message.text}
    if message.tool_calls:
        out["tool_calls"] = [
            {
                "id": c.id,
                "type": "function",
                "function": {"name": c.name, "arguments": json.dumps(c.arguments)},
            }
            for c in message.tool_calls
        ]
    return out


@dataclass
class _Pending:
    id: str = ""
    name: str = ""
    arguments: list[str] = field(default_factory=list)


def parse_stream(
    provider: str, events: Iterable[ServerEvent], *, structured: bool
) -> Iterator[Event]:
    """Text deltas as they come; tool calls, the structured answer and usage at the end. A
    stream without `[DONE]` was cut: it raises instead of passing for a whole answer."""
    calls: dict[int, _Pending] = {}
    text: list[str] = []
    usage = Usage(0, 0)
    stop: StopReason = "other"
    for event in events:
        if event.data.strip() == "[DONE]":
            yield from _finish(
                provider, calls=calls, text=text, structured=structured, stop=stop, usage=usage
            )
            return
        chunk = json_object(provider, event.data)
        if isinstance(chunk.get("usage"), dict):
            usage = Usage(
                int(chunk["usage"].get("prompt_tokens", 0)),
                int(chunk["usage"].get("completion_tokens", 0)),
            )
        for choice in chunk.get("choices") or []:
            delta = choice.get("delta") or {}
            if delta.get("content"):
                text.append(delta["content"])
                yield TextDelta(delta["content"])
            for part in delta.get("tool_calls") or []:
                _merge_call(calls, part)
            if choice.get("finish_reason"):
                stop = _STOP.get(choice["finish_reason"], "other")
    raise malformed(provider, "the stream ended before [DONE]")


def _merge_call(calls: dict[int, _Pending], part: dict[str, Any]) -> None:
    pending = calls.setdefault(int(part.get("index", 0)), _Pending())
    pending.id = part.get("id") or pending.id
    function = part.get("function") or {}
    pending.name = function.get("name") or pending.name
    pending.arguments.append(function.get("arguments") or "")


def _finish(
    provider: str,
    *,
    calls: dict[int, _Pending],
    text: list[str],
    structured: bool,
    stop: StopReason,
    usage: Usage,
) -> Iterator[Event]:
    for index in sorted(calls):
        pending = calls[index]
        arguments = json_object(provider, "".join(pending.arguments) or "{}")
        yield ToolCallEvent(ToolCall(pending.id, pending.name, arguments))
    if structured and not calls:
        yield StructuredAnswer(drop_nulls(json_object(provider, "".join(text))))
    yield usage
    yield Finished(stop, usage)
