"""Each provider's wire format, from its public API documentation: the exact request body and
headers, and every stream event type parsed into gitbench's provider-neutral events."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import httpx
import pytest

from gitbench.errors import ErrorCode, GitbenchError
from gitbench.providers import anthropic, gemini, openai_compat
from gitbench.providers.events import (
    ChatRequest,
    Finished,
    Message,
    StructuredAnswer,
    TextDelta,
    ToolCall,
    ToolCallEvent,
    ToolSpec,
    Usage,
)
from gitbench.providers.failures import status_error, transport_error
from gitbench.providers.registry import MODELS, cost, model_info
from gitbench.providers.sse import ServerEvent, parse_sse

SCHEMA = {"type": "object", "properties": {"summary": {"type": "string"}}, "required": ["summary"]}
TOOL = ToolSpec(
    "read_file", "Read a file", {"type": "object", "properties": {"path": {"type": "string"}}}
)
REQUEST = ChatRequest(
    model="m",
    system="Be careful.",
    messages=(
        Message("user", "Summarise notes.md"),
        Message("assistant", "", tool_calls=(ToolCall("c1", "read_file", {"path": "notes.md"}),)),
        Message("tool", "alpha", tool_call_id="c1", tool_name="read_file"),
    ),
    tools=(TOOL,),
    response_schema=SCHEMA,
    schema_name="edits",
    max_output_tokens=100,
    temperature=0.2,
)


def _sse(*chunks: dict[str, Any] | str, event: str | None = None) -> list[ServerEvent]:
    text = ""
    for chunk in chunks:
        data = chunk if isinstance(chunk, str) else json.dumps(chunk)
        kind = event or (chunk.get("type") if isinstance(chunk, dict) else None)
        text += (f"event: {kind}\n" if kind else "") + f"data: {data}\n\n"
    return list(parse_sse(text.splitlines(keepends=True)))


def test_sse_framing_joins_data_lines_and_skips_comments() -> None:
    lines = [": ping\n", "event: a\n", "data: one\n", "data: two\n", "\n", "data: tail\n"]
    assert list(parse_sse(lines)) == [ServerEvent("a", "one\ntwo"), ServerEvent("message", "tail")]


def test_openai_request_is_chat_completions_with_strict_json_schema() -> None:
    body = openai_compat.build_body(REQUEST)
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}
    assert body["messages"][0] == {"role": "system", "content": "Be careful."}
    assert body["messages"][2]["tool_calls"][0]["function"] == {
        "name": "read_file",
        "arguments": '{"path": "notes.md"}',
    }
    assert body["messages"][3] == {"role": "tool", "tool_call_id": "c1", "content": "alpha"}
    assert body["tools"][0] == {
        "type": "function",
        "function": {
            "name": "read_file",
            "description": "Read a file",
            "parameters": TOOL.parameters,
        },
    }
    assert body["response_format"] == {
        "type": "json_schema",
        "json_schema": {
            "name": "edits",
            "schema": {**SCHEMA, "additionalProperties": False},
            "strict": True,
        },
    }
    assert body["max_tokens"] == 100 and body["temperature"] == 0.2
    assert "response_format" not in openai_compat.build_body(REQUEST, structured=False)
    assert openai_compat.headers("sk-x")["authorization"] == "Bearer sk-x"
    assert "authorization" not in openai_compat.headers(None)


def test_openai_stream_gives_text_tool_calls_structured_answer_and_usage() -> None:
    events = _sse(
        {"choices": [{"index": 0, "delta": {"role": "assistant", "content": '{"summ'}}]},
        {"choices": [{"index": 0, "delta": {"content": 'ary": "ok"}'}, "finish_reason": "stop"}]},
        {"choices": [], "usage": {"prompt_tokens": 12, "completion_tokens": 5}},
        "[DONE]",
    )
    out = list(openai_compat.parse_stream("openai", events, structured=True))
    assert out == [
        TextDelta('{"summ'),
        TextDelta('ary": "ok"}'),
        StructuredAnswer({"summary": "ok"}),
        Usage(12, 5),
        Finished("end", Usage(12, 5)),
    ]
    calls = _sse(
        {
            "choices": [
                {
                    "index": 0,
                    "delta": {
                        "tool_calls": [
                            {
                                "index": 0,
                                "id": "call_1",
                                "type": "function",
                                "function": {"name": "read_file", "arguments": '{"pa'},
                            }
                        ]
                    },
                }
            ]
        },
        {
            "choices": [
                {
                    "index": 0,
                    "delta": {
                        "tool_calls": [{"index": 0, "function": {"arguments": 'th": "a.md"}'}}]
                    },
                    "finish_reason": "tool_calls",
                }
            ]
        },
        "[DONE]",
    )
    out = list(openai_compat.parse_stream("openai", calls, structured=True))
    assert out[0] == ToolCallEvent(ToolCall("call_1", "read_file", {"path": "a.md"}))
    assert out[-1] == Finished("tool_use", Usage(0, 0))


def test_anthropic_request_forces_the_answer_tool() -> None:
    without_tools = anthropic.build_body(replace(REQUEST, tools=()))
    assert without_tools["tool_choice"] == {"type": "tool", "name": "edits"}
    body = anthropic.build_body(REQUEST)
    assert body["system"] == "Be careful." and body["stream"] is True and body["max_tokens"] == 100
    # With read tools on offer, some tool must be called, so reading first stays possible.
    assert body["tool_choice"] == {"type": "any"}
    assert body["tools"][-1] == {
        "name": "edits",
        "description": "Give the answer.",
        "input_schema": SCHEMA,
    }
    assert body["messages"][1]["content"] == [
        {"type": "tool_use", "id": "c1", "name": "read_file", "input": {"path": "notes.md"}}
    ]
    assert body["messages"][2] == {
        "role": "user",
        "content": [{"type": "tool_result", "tool_use_id": "c1", "content": "alpha"}],
    }
    headers = anthropic.headers("k")
    assert headers["x-api-key"] == "k" and headers["anthropic-version"] == "2023-06-01"


def test_anthropic_stream_every_event_type() -> None:
    events = _sse(
        {"type": "message_start", "message": {"usage": {"input_tokens": 20, "output_tokens": 1}}},
        {"type": "ping"},
        {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
        {
            "type": "content_block_delta",
            "index": 0,
            "delta": {"type": "text_delta", "text": "Working"},
        },
        {"type": "content_block_stop", "index": 0},
        {
            "type": "content_block_start",
            "index": 1,
            "content_block": {"type": "tool_use", "id": "t1", "name": "edits", "input": {}},
        },
        {
            "type": "content_block_delta",
            "index": 1,
            "delta": {"type": "input_json_delta", "partial_json": '{"summary": '},
        },
        {
            "type": "content_block_delta",
            "index": 1,
            "delta": {"type": "input_json_delta", "partial_json": '"ok"}'},
        },
        {"type": "content_block_stop", "index": 1},
        {
            "type": "message_delta",
            "delta": {"stop_reason": "tool_use"},
            "usage": {"output_tokens": 9},
        },
        {"type": "message_stop"},
    )
    out = list(anthropic.parse_stream("anthropic", events, schema_name="edits"))
    assert out == [
        TextDelta("Working"),
        StructuredAnswer({"summary": "ok"}),
        Usage(20, 9),
        Finished("tool_use", Usage(20, 9)),
    ]


def test_gemini_request_and_stream() -> None:
    body = gemini.build_body(replace(REQUEST, tools=()))
    assert body["systemInstruction"] == {"parts": [{"text": "Be careful."}]}
    assert body["generationConfig"] == {
        "maxOutputTokens": 100,
        "temperature": 0.2,
        "responseMimeType": "application/json",
        "responseJsonSchema": SCHEMA,
    }
    assert body["contents"][1] == {
        "role": "model",
        "parts": [{"functionCall": {"name": "read_file", "args": {"path": "notes.md"}}}],
    }
    # A function's result is matched to its call by the function's name.
    assert body["contents"][2]["parts"][0]["functionResponse"] == {
        "name": "read_file",
        "response": {"content": "alpha"},
    }
    assert (
        gemini.path("gemini-2.5-pro")
        == "/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse"
    )
    assert gemini.headers("g")["x-goog-api-key"] == "g"
    events = _sse(
        {"candidates": [{"content": {"role": "model", "parts": [{"text": '{"summary":'}]}}]},
        {
            "candidates": [{"content": {"parts": [{"text": ' "ok"}'}]}, "finishReason": "STOP"}],
            "usageMetadata": {"promptTokenCount": 7, "candidatesTokenCount": 3},
        },
    )
    out = list(gemini.parse_stream("google", events, schema_name="answer"))
    assert out[-3:] == [
        StructuredAnswer({"summary": "ok"}),
        Usage(7, 3),
        Finished("end", Usage(7, 3)),
    ]


@pytest.mark.parametrize(
    ("parse", "events"),
    [
        (
            lambda e: openai_compat.parse_stream("openai", e, structured=False),
            _sse({"choices": [{"index": 0, "delta": {"content": "half"}}]}),
        ),
        (
            lambda e: anthropic.parse_stream("anthropic", e, schema_name=None),
            _sse(
                {"type": "message_start", "message": {"usage": {}}},
                {
                    "type": "content_block_delta",
                    "index": 0,
                    "delta": {"type": "text_delta", "text": "half"},
                },
            ),
        ),
        (
            lambda e: gemini.parse_stream("google", e, schema_name=None),
            _sse({"candidates": [{"content": {"parts": [{"text": "half"}]}}]}),
        ),
        (lambda e: openai_compat.parse_stream("openai", e, structured=False), _sse("not json")),
    ],
)
def test_a_cut_or_malformed_stream_never_passes_for_a_whole_answer(
    parse: Any, events: list[ServerEvent]
) -> None:
    with pytest.raises(GitbenchError) as caught:
        list(parse(events))
    assert caught.value.code is ErrorCode.PROVIDER_UNAVAILABLE
    assert caught.value.subphase == "stream" and caught.value.retryable


@pytest.mark.parametrize(
    ("status", "body", "code", "retryable"),
    [
        (401, "bad key", ErrorCode.PROVIDER_AUTH_FAILED, False),
        (403, "forbidden", ErrorCode.PROVIDER_AUTH_FAILED, False),
        (429, "slow down", ErrorCode.PROVIDER_RATE_LIMITED, True),
        (500, "oops", ErrorCode.PROVIDER_UNAVAILABLE, True),
        (503, "overloaded", ErrorCode.PROVIDER_UNAVAILABLE, True),
        (
            400,
            "This model's maximum context length is 128000 tokens",
            ErrorCode.CONTEXT_EXHAUSTED,
            False,
        ),
        (
            400,
            "prompt is too long: 250000 tokens > 200000 maximum",
            ErrorCode.CONTEXT_EXHAUSTED,
            False,
        ),
        (400, "invalid request", ErrorCode.PROVIDER_UNAVAILABLE, False),
    ],
)
def test_every_status_maps_to_a_registry_code(
    status: int, body: str, code: ErrorCode, retryable: bool
) -> None:
    response = httpx.Response(status, headers={"retry-after": "7"})
    error = status_error("openai", response, body)
    assert (error.code, error.retryable) == (code, retryable)
    if code is ErrorCode.PROVIDER_RATE_LIMITED:
        assert error.detail["retry_after"] == 7.0


def test_transport_failures_map_to_network_and_provider_codes() -> None:
    request = httpx.Request("POST", "https://api.openai.com/v1/chat/completions")
    assert (
        transport_error("openai", httpx.ConnectError("no route", request=request)).code
        is ErrorCode.NETWORK_UNAVAILABLE
    )
    cut = transport_error("openai", httpx.RemoteProtocolError("peer closed", request=request))
    assert cut.code is ErrorCode.PROVIDER_UNAVAILABLE and "cut" in cut.message
    assert transport_error("openai", httpx.ReadTimeout("slow", request=request)).retryable


def test_registry_knows_each_model_and_local_servers_take_any_name() -> None:
    assert model_info("anthropic:claude-sonnet-4-5").context_window == 200_000
    local = model_info("ollama:some-new-model")
    assert local.provider == "ollama" and local.price_in == 0.0
    for bad in ("gpt-4.1", "openai:", "nosuch:model", "openai:not-a-model"):
        with pytest.raises(GitbenchError) as caught:
            model_info(bad)
        assert caught.value.code is ErrorCode.VALIDATION_FAILED
    assert cost(MODELS["openai:gpt-4.1"], 1_000_000, 500_000) == pytest.approx(6.0)


def test_gemini_with_tools_takes_the_answer_as_a_function_call() -> None:
    body = gemini.build_body(REQUEST)
    assert "responseJsonSchema" not in body["generationConfig"]  # refused with function calls
    names = [d["name"] for d in body["tools"][0]["functionDeclarations"]]
    assert names == ["read_file", "edits"]
    assert body["tools"][0]["functionDeclarations"][1]["parametersJsonSchema"] == SCHEMA
    assert body["toolConfig"] == {"functionCallingConfig": {"mode": "ANY"}}
    read = {"functionCall": {"name": "read_file", "args": {"path": "a.md"}}}
    answer = {"functionCall": {"name": "edits", "args": {"summary": "ok"}}}
    reading = _sse({"candidates": [{"content": {"parts": [read]}, "finishReason": "STOP"}]})
    out = list(gemini.parse_stream("google", reading, schema_name="edits"))
    (call,) = [e for e in out if isinstance(e, ToolCallEvent)]
    assert call.call.name == "read_file" and call.call.arguments == {"path": "a.md"}
    assert out[-1] == Finished("tool_use", Usage(0, 0))
    answering = _sse({"candidates": [{"content": {"parts": [answer]}, "finishReason": "STOP"}]})
    out = list(gemini.parse_stream("google", answering, schema_name="edits"))
    assert out == [StructuredAnswer({"summary": "ok"}), Usage(0, 0), Finished("end", Usage(0, 0))]
