"""The provider-neutral request and the stream of events every provider turns its wire format into."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Role = Literal["user", "assistant", "tool"]


@dataclass(frozen=True)
class ToolSpec:
    name: str
    description: str
    parameters: dict[str, Any]  # JSON schema of the arguments


@dataclass(frozen=True)
class ToolCall:
    id: str
    name: str
    arguments: dict[str, Any]


@dataclass(frozen=True)
class Message:
    role: Role
    text: str = ""
    tool_calls: tuple[ToolCall, ...] = ()
    tool_call_id: str | None = None  # for role "tool": which call this answers
    tool_name: str = ""  # for role "tool": the tool's name (Gemini answers by name, not id)


@dataclass(frozen=True)
class ChatRequest:
    model: str
    system: str
    messages: tuple[Message, ...]
    tools: tuple[ToolSpec, ...] = ()
    # The answer must be a JSON object of this schema (the edit schema, for the workshop).
    response_schema: dict[str, Any] | None = None
    schema_name: str = "answer"
    max_output_tokens: int = 4096
    temperature: float | None = None


@dataclass(frozen=True)
class TextDelta:
    text: str


@dataclass(frozen=True)
class ToolCallEvent:
    call: ToolCall


@dataclass(frozen=True)
class StructuredAnswer:
    value: dict[str, Any]


@dataclass(frozen=True)
class Usage:
    input_tokens: int
    output_tokens: int


StopReason = Literal["end", "max_tokens", "tool_use", "content_filter", "other"]


@dataclass(frozen=True)
class Finished:
    stop_reason: StopReason
    usage: Usage = field(default_factory=lambda: Usage(0, 0))


Event = TextDelta | ToolCallEvent | StructuredAnswer | Usage | Finished
