"""Google Gemini `streamGenerateContent` with `alt=sse`. Structured output uses
`responseMimeType: application/json` with `responseJsonSchema` (providers/schemas.py)."""

from __future__ import annotations

import uuid
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
from gitbench.providers.schemas import gemini as gemini_schema
from gitbench.providers.sse import ServerEvent

_STOP: dict[str, StopReason] = {
    "STOP": "end",
    "MAX_TOKENS": "max_tokens",
    "SAFETY": "content_filter",
    "RECITATION": "content_filter",
}


def path(model: str) -> str:
    return f"/v1beta/models/{model}:streamGenerateContent?alt=sse"


def build_body(request: ChatRequest) -> dict[str, Any]:
    config: dict[str, Any] = {"maxOutputTokens": request.max_output_tokens}
    if request.temperature is not None:
        config["temperature"] = request.temperature
    declarations = [
        {"name": t.name, "description": t.description, "parameters": t.parameters}
        for t in request.tools
    ]
    body: dict[str, Any] = {
        "systemInstruction": {"parts": [{"text": request.system}]},
        "contents": [_content(m) for m in request.messages],
        "generationConfig": config,
    }
    if request.response_schema is not None and declarations:
        # Gemini refuses a JSON response type together with function calling: the answer
        # becomes one more function, and mode ANY makes every turn end in a call.
        declarations.append(
            {
                "name": request.schema_name,
                "description": "Give the answer.",
                "parametersJsonSchema": gemini_schema(request.response_schema),
            }
        )
        body["toolConfig"] = {"functionCallingConfig": {"mode": "ANY"}}
    elif request.response_schema is not None:
        config["responseMimeType"] = "application/json"
        config["responseJsonSchema"] = gemini_schema(request.response_schema)
    if declarations:
        body["tools"] = [{"functionDeclarations": declarations}]
    return body


def headers(key: str | None) -> dict[str, str]:
    found = {"content-type": "application/json", "accept": "text/event-stream"}
    if key:
        found["x-goog-api-key"] = key
    return found


def _content(message: Message) -> dict[str, Any]:
    if message.role == "tool":
        response = {"name": message.tool_name, "response": {"content": message.text}}
        return {"role": "user", "parts": [{"functionResponse": response}]}
    parts: list[dict[str, Any]] = [{"text": message.text}] if message.text else []
    parts += [{"functionCall": {"name": c.name, "args": c.arguments}} for c in message.tool_calls]
    return {"role": "model" if message.role == "assistant" else "user", "parts": parts}


def parse_stream(
    provider: str, events: Iterable[ServerEvent], *, schema_name: str | None
) -> Iterator[Event]:
    """Gemini sends no end-of-stream marker; a chunk with a `finishReason` ends the answer,
    and a stream that stops without one was cut. `schema_name` is set when a structured
    answer is expected: the JSON text, or a call of the answer function (with tools)."""
    text: list[str] = []
    calls: list[ToolCall] = []
    usage = Usage(0, 0)
    stop: StopReason | None = None
    for event in events:
        chunk = json_object(provider, event.data)
        meta = chunk.get("usageMetadata") or {}
        if meta:
            usage = Usage(
                int(meta.get("promptTokenCount", 0)), int(meta.get("candidatesTokenCount", 0))
            )
        for candidate in chunk.get("candidates") or []:
            for part in (candidate.get("content") or {}).get("parts") or []:
                if "text" in part:
                    text.append(str(part["text"]))
                    yield TextDelta(str(part["text"]))
                elif "functionCall" in part:
                    call = part["functionCall"]
                    calls.append(
                        ToolCall(
                            f"call_{uuid.uuid4().hex[:12]}",
                            str(call.get("name", "")),
                            dict(call.get("args") or {}),
                        )
                    )
            if candidate.get("finishReason"):
                stop = _STOP.get(str(candidate["finishReason"]), "other")
    if stop is None:
        raise malformed(provider, "the stream ended without a finishReason")
    for call in calls:
        if call.name == schema_name:
            yield StructuredAnswer(drop_nulls(call.arguments))
        else:
            yield ToolCallEvent(call)
    if schema_name is not None and not calls:
        yield StructuredAnswer(drop_nulls(json_object(provider, "".join(text))))
    yield usage
    reads = [c for c in calls if c.name != schema_name]
    yield Finished("tool_use" if reads else stop, usage)
