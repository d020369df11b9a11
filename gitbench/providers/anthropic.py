"""Anthropic Messages API (streaming SSE). Structured output is a forced tool call whose input
schema is the answer's schema (Anthropic's documented mechanism)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
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
from gitbench.providers.schemas import drop_nulls
from gitbench.providers.sse import ServerEvent

PATH = "/v1/messages"
VERSION = "2023-06-01"

_STOP: dict[str, StopReason] = {
    "end_turn": "end",
    "stop_sequence": "end",
    "max_tokens": "max_tokens",
    "tool_use": "tool_use",
    "refusal": "content_filter",
}


def build_body(request: ChatRequest) -> dict[str, Any]:
    body: dict[str, Any] = {
        "model": request.model,
        "system": request.system,
        "messages": [_message(m) for m in request.messages],
        "max_tokens": request.max_output_tokens,
        "stream": True,
    }
    if request.temperature is not None:
        body["temperature"] = request.temperature
    tools = [
        {"name": t.name, "description": t.description, "input_schema": t.parameters}
        for t in request.tools
    ]
    if request.response_schema is not None:
        tools.append(
            {
                "name": request.schema_name,
                "description": "Give the answer.",
                "input_schema": request.response_schema,
            }
        )
        # With read tools on offer the model must still end in the answer tool, but may call
        # the others first: "any" requires some tool call, "tool" would forbid the reads.
        forced = {"type": "tool", "name": request.schema_name}
        body["tool_choice"] = {"type": "any"} if request.tools else forced
    if tools:
        body["tools"] = tools
    return body


def headers(key: str | None) -> dict[str, str]:
    found = {
        "content-type": "application/json",
        "accept": "text/event-stream",
        "anthropic-version": VERSION,
    }
    if key:
        found["x-api-key"] = key
    return found


def _message(message: Message) -> dict[str, Any]:
    if message.role == "tool":
        result = {
            "type": "tool_result",
            "tool_use_id": message.tool_call_id,
            "content": message.text,
        }
        return {"role": "user", "content": [result]}
    content: list[dict[str, Any]] = [{"type": "text", "text": message.text}] if message.text else []
    content += [
        {"type": "tool_use", "id": c.id, "name": c.name, "input": c.arguments}
        for c in message.tool_calls
    ]
    return {"role": message.role, "content": content}


def parse_stream(
    provider: str, events: Iterable[ServerEvent], *, schema_name: str | None
) -> Iterator[Event]:
    """Events in the documented order; `message_stop` ends a whole answer, anything short of
    it is a cut stream."""
    blocks: dict[int, dict[str, Any]] = {}
    input_tokens = output_tokens = 0
    stop: StopReason = "other"
    for event in events:
        data = json_object(provider, event.data)
        kind = data.get("type", event.event)
        if kind == "error":
            raise malformed(
                provider, str((data.get("error") or {}).get("message", "error event"))[:200]
            )
        if kind == "message_start":
            usage = (data.get("message") or {}).get("usage") or {}
            input_tokens = int(usage.get("input_tokens", 0))
            output_tokens = int(usage.get("output_tokens", 0))
        elif kind == "content_block_start":
            block = dict(data.get("content_block") or {})
            block["partial"] = []
            blocks[int(data.get("index", 0))] = block
        elif kind == "content_block_delta":
            yield from _delta(blocks, data)
        elif kind == "message_delta":
            stop = _STOP.get(((data.get("delta") or {}).get("stop_reason")) or "", "other")
            output_tokens = int((data.get("usage") or {}).get("output_tokens", output_tokens))
        elif kind == "message_stop":
            usage_total = Usage(input_tokens, output_tokens)
            yield from _tool_events(provider, blocks, schema_name)
            yield usage_total
            yield Finished(stop, usage_total)
            return
    raise malformed(provider, "the stream ended before message_stop")


def _delta(blocks: dict[int, dict[str, Any]], data: dict[str, Any]) -> Iterator[Event]:
    delta = data.get("delta") or {}
    block = blocks.setdefault(int(data.get("index", 0)), {"type": "text", "partial": []})
    if delta.get("type") == "text_delta":
        yield TextDelta(str(delta.get("text", "")))
    elif delta.get("type") == "input_json_delta":
        block["partial"].append(str(delta.get("partial_json", "")))


def _tool_events(
    provider: str, blocks: dict[int, dict[str, Any]], schema_name: str | None
) -> Iterator[Event]:
    for index in sorted(blocks):
        block = blocks[index]
        if block.get("type") != "tool_use":
            continue
        raw = "".join(block["partial"])
        arguments = json_object(provider, raw) if raw else dict(block.get("input") or {})
        if schema_name is not None and block.get("name") == schema_name:
            yield StructuredAnswer(drop_nulls(arguments))
        else:
            yield ToolCallEvent(
                ToolCall(str(block.get("id", "")), str(block.get("name", "")), arguments)
            )
