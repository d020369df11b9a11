"""Every provider against a loopback HTTPS server speaking its wire format, through the real
wiring: user settings, keys, consent, the policy transport, retries and error mapping."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from gitbench.config import load_environment
from gitbench.errors import ErrorCode, GitbenchError
from gitbench.providers.events import (
    ChatRequest,
    Finished,
    Message,
    StructuredAnswer,
    TextDelta,
    Usage,
)
from gitbench.services.calls import stream_model
from gitbench.store.repo import Workbench
from tests.support.cli import run
from tests.support.provider_server import ProviderServer, Reply, serve

SCHEMA = {"type": "object", "properties": {"summary": {"type": "string"}}, "required": ["summary"]}
REQUEST = ChatRequest(
    model="", system="sys", messages=(Message("user", "hi"),), response_schema=SCHEMA
)
KEY = "sk-test-conformance-0123456789"


@dataclass(frozen=True)
class Case:
    model: str
    key_variable: str | None
    path: str  # where the provider's API lives under the base URL
    request_path: str
    key_header: tuple[str, str] | None
    stream: tuple[bytes, ...]  # a whole streamed answer: text '{"summary": "ok"}', usage 3/4


def _sse(*events: dict[str, Any] | str, named: bool = False) -> tuple[bytes, ...]:
    out = []
    for event in events:
        data = event if isinstance(event, str) else json.dumps(event)
        head = f"event: {event['type']}\n" if named and isinstance(event, dict) else ""
        out.append(f"{head}data: {data}\n\n".encode())
    return tuple(out)


OPENAI_STREAM = _sse(
    {"choices": [{"index": 0, "delta": {"content": '{"summary": '}}]},
    {"choices": [{"index": 0, "delta": {"content": '"ok"}'}, "finish_reason": "stop"}]},
    {"choices": [], "usage": {"prompt_tokens": 3, "completion_tokens": 4}},
    "[DONE]",
)
ANTHROPIC_STREAM = _sse(
    {"type": "message_start", "message": {"usage": {"input_tokens": 3, "output_tokens": 1}}},
    {
        "type": "content_block_start",
        "index": 0,
        "content_block": {"type": "tool_use", "id": "t", "name": "answer", "input": {}},
    },
    {
        "type": "content_block_delta",
        "index": 0,
        "delta": {"type": "input_json_delta", "partial_json": '{"summary": "ok"}'},
    },
    {"type": "content_block_stop", "index": 0},
    {"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 4}},
    {"type": "message_stop"},
    named=True,
)
GEMINI_STREAM = _sse(
    {"candidates": [{"content": {"parts": [{"text": '{"summary": '}]}}]},
    {
        "candidates": [{"content": {"parts": [{"text": '"ok"}'}]}, "finishReason": "STOP"}],
        "usageMetadata": {"promptTokenCount": 3, "candidatesTokenCount": 4},
    },
)

CASES = {
    "openai": Case(
        "openai:gpt-4.1",
        "OPENAI_API_KEY",
        "/v1",
        "/v1/chat/completions",
        ("authorization", f"Bearer {KEY}"),
        OPENAI_STREAM,
    ),
    "mistral": Case(
        "mistral:mistral-large-latest",
        "MISTRAL_API_KEY",
        "/v1",
        "/v1/chat/completions",
        ("authorization", f"Bearer {KEY}"),
        OPENAI_STREAM,
    ),
    "anthropic": Case(
        "anthropic:claude-sonnet-4-5",
        "ANTHROPIC_API_KEY",
        "",
        "/v1/messages",
        ("x-api-key", KEY),
        ANTHROPIC_STREAM,
    ),
    "google": Case(
        "google:gemini-2.5-pro",
        "GEMINI_API_KEY",
        "",
        "/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse",
        ("x-goog-api-key", KEY),
        GEMINI_STREAM,
    ),
    "ollama": Case(
        "ollama:qwen2.5-coder", None, "/v1", "/v1/chat/completions", None, OPENAI_STREAM
    ),
}


@pytest.fixture
def provider(tmp_path: Path) -> Iterator[ProviderServer]:
    with serve(tmp_path) as server:
        yield server


def _configure(
    bench: Path, server: ProviderServer, case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(bench.parent / "xdg"))
    if case.key_variable:
        monkeypatch.setenv(case.key_variable, KEY)
    name, model = case.model.split(":", 1)
    url = server.url + case.path
    assert run(bench, "providers", "set-url", name, url, "--yes").exit_code == 0
    granted = run(
        bench,
        "consent",
        "grant",
        "--provider",
        name,
        "--model",
        model,
        "--persist",
        "--yes",
        "--base-url",
        url,
    )
    assert granted.exit_code == 0, granted.stderr


def _call(
    wb: Workbench, server: ProviderServer, case: Case, sleeps: list[float] | None = None
) -> list[object]:
    waits = sleeps if sleeps is not None else []
    events = stream_model(
        wb, case.model, REQUEST, env=load_environment(), ca_bundle=server.ca_pem, sleep=waits.append
    )
    return list(events)


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_streamed_structured_answer(
    name: str,
    wb: Workbench,
    bench_path: Path,
    provider: ProviderServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    case = CASES[name]
    _configure(bench_path, provider, case, monkeypatch)
    provider.reply(Reply(chunks=case.stream, headers=(("content-type", "text/event-stream"),)))
    events = _call(wb, provider, case)
    assert StructuredAnswer({"summary": "ok"}) in events
    assert events[-2:] == [Usage(3, 4), Finished("end", Usage(3, 4))]
    (seen,) = provider.requests
    assert seen.path == case.request_path
    if case.key_header:
        assert (
            seen.headers.get(case.key_header[0].title()) == case.key_header[1]
            or seen.headers.get(case.key_header[0]) == case.key_header[1]
        )
    else:
        assert "authorization" not in {k.lower() for k in seen.headers}
    body = seen.json()
    assert body.get("model", case.model.split(":", 1)[1]) == case.model.split(":", 1)[1]


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (401, ErrorCode.PROVIDER_AUTH_FAILED),
        (403, ErrorCode.PROVIDER_AUTH_FAILED),
        (400, ErrorCode.PROVIDER_UNAVAILABLE),
    ],
)
def test_a_refusal_is_mapped_and_not_retried(
    status: int,
    code: ErrorCode,
    wb: Workbench,
    bench_path: Path,
    provider: ProviderServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    case = CASES["openai"]
    _configure(bench_path, provider, case, monkeypatch)
    provider.reply_json({"error": {"message": f"nope, your key {KEY} is wrong"}}, status=status)
    with pytest.raises(GitbenchError) as caught:
        _call(wb, provider, case)
    assert caught.value.code is code
    assert len(provider.requests) == 1
    assert KEY not in caught.value.message + json.dumps(caught.value.detail)


def test_rate_limits_and_server_errors_are_retried_with_backoff(
    wb: Workbench, bench_path: Path, provider: ProviderServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = CASES["anthropic"]
    _configure(bench_path, provider, case, monkeypatch)
    provider.reply_json({"error": "slow"}, status=429, **{"retry-after": "2"})
    provider.reply_json({"error": "down"}, status=503)
    provider.reply(Reply(chunks=case.stream, headers=(("content-type", "text/event-stream"),)))
    sleeps: list[float] = []
    events = _call(wb, provider, case, sleeps)
    assert StructuredAnswer({"summary": "ok"}) in events
    assert sleeps == [2.0, 2.0]  # Retry-After honoured, then exponential backoff (1 s x 2^1)
    assert len(provider.requests) == 3


def test_retries_stop_after_three(
    wb: Workbench, bench_path: Path, provider: ProviderServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = CASES["google"]
    _configure(bench_path, provider, case, monkeypatch)
    for _ in range(4):
        provider.reply_json({"error": "down"}, status=500)
    sleeps: list[float] = []
    with pytest.raises(GitbenchError) as caught:
        _call(wb, provider, case, sleeps)
    assert caught.value.code is ErrorCode.PROVIDER_UNAVAILABLE
    assert sleeps == [1.0, 2.0, 4.0]


def test_a_cut_stream_is_never_a_whole_answer(
    wb: Workbench, bench_path: Path, provider: ProviderServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = CASES["openai"]
    _configure(bench_path, provider, case, monkeypatch)
    provider.reply(
        Reply(
            chunks=case.stream[:1], headers=(("content-type", "text/event-stream"),), truncate=True
        )
    )
    seen: list[object] = []
    with pytest.raises(GitbenchError) as caught:
        for event in stream_model(
            wb,
            case.model,
            REQUEST,
            env=load_environment(),
            ca_bundle=provider.ca_pem,
            sleep=lambda _s: None,
        ):
            seen.append(event)
    assert caught.value.code is ErrorCode.PROVIDER_UNAVAILABLE
    assert seen == [TextDelta('{"summary": ')]  # what arrived, and no retry after output began
    assert len(provider.requests) == 1


def test_no_consent_no_request(
    wb: Workbench, bench_path: Path, provider: ProviderServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = CASES["openai"]
    _configure(bench_path, provider, case, monkeypatch)
    revoked = run(bench_path, "consent", "revoke", "--provider", "openai", "--model", "gpt-4.1")
    assert revoked.exit_code == 0, revoked.stderr
    with pytest.raises(GitbenchError) as caught:
        _call(wb, provider, case)
    assert caught.value.code is ErrorCode.EGRESS_CONSENT_REQUIRED
    assert provider.requests == [] and provider.connections == 0


def test_a_missing_key_or_disabled_provider_is_not_configured(
    wb: Workbench, bench_path: Path, provider: ProviderServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(bench_path.parent / "xdg"))
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(GitbenchError) as caught:
        _call(wb, provider, CASES["openai"])
    assert caught.value.code is ErrorCode.PROVIDER_NOT_CONFIGURED
    assert run(bench_path, "providers", "disable", "ollama").exit_code == 0
    with pytest.raises(GitbenchError) as caught:
        _call(wb, provider, CASES["ollama"])
    assert caught.value.code is ErrorCode.PROVIDER_NOT_CONFIGURED
    assert provider.connections == 0


def test_validate_makes_one_minimal_call(
    wb: Workbench, bench_path: Path, provider: ProviderServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gitbench.services.calls import validate_provider

    case = CASES["mistral"]
    _configure(bench_path, provider, case, monkeypatch)
    provider.reply(
        Reply(
            chunks=_sse(
                {"choices": [{"index": 0, "delta": {"content": "OK"}, "finish_reason": "stop"}]},
                {"choices": [], "usage": {"prompt_tokens": 9, "completion_tokens": 1}},
                "[DONE]",
            )
        )
    )
    result = validate_provider(
        wb, "mistral", case.model, env=load_environment(), ca_bundle=provider.ca_pem
    )
    assert (result.ok, result.input_tokens, result.output_tokens) == (True, 9, 1)
    (seen,) = provider.requests
    assert seen.json()["max_tokens"] == 8 and "response_format" not in seen.json()
