"""A scripted local model for workshop tests: a loopback server speaking the OpenAI wire format
(plain HTTP to localhost, as Ollama does) and helpers that queue its streamed answers: JSON
answers, text answers, and tool calls."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.cli import run
from tests.support.provider_server import ProviderServer, Reply, serve

MODEL = "ollama:qwen2.5-coder"


@pytest.fixture
def local_model(
    tmp_path: Path, bench_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[ProviderServer]:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    with serve(tmp_path, tls=False) as server:
        assert (
            run(bench_path, "providers", "set-url", "ollama", server.url + "/v1", "--yes").exit_code
            == 0
        )
        assert run(bench_path, "model", "default", MODEL).exit_code == 0
        # These tests script JSON answers; a local model is asked for blocks by default.
        assert run(bench_path, "model", "format", MODEL, "json").exit_code == 0
        yield server


def answer(
    server: ProviderServer,
    reply: str,
    edits: dict[str, Any] | None = None,
    *,
    cut: bool = False,
    delay: float = 0.0,
) -> None:
    """Queue one streamed answer: the JSON split over two deltas, then usage and [DONE]."""
    content = json.dumps({"reply": reply, "edits": edits})
    half = len(content) // 2
    chunks = [
        {"choices": [{"index": 0, "delta": {"content": content[:half]}}]},
        {"choices": [{"index": 0, "delta": {"content": content[half:]}, "finish_reason": "stop"}]},
        {"choices": [], "usage": {"prompt_tokens": 120, "completion_tokens": 30}},
    ]
    stream(server, chunks, cut=cut, delay=delay)


def replace(path: str, search: str, new: str) -> dict[str, Any]:
    return {"path": path, "ops": [{"op": "replace", "search": search, "replace": new}]}


def text_answer(server: ProviderServer, text: str) -> None:
    stream(
        server, [{"choices": [{"index": 0, "delta": {"content": text}, "finish_reason": "stop"}]}]
    )


def tool_calls(server: ProviderServer, *calls: tuple[str, dict[str, Any]]) -> None:
    """Queue one streamed answer that calls tools instead of answering."""
    parts = [
        {
            "index": i,
            "id": f"call_{i}",
            "type": "function",
            "function": {"name": name, "arguments": json.dumps(arguments)},
        }
        for i, (name, arguments) in enumerate(calls)
    ]
    chunks = [
        {"choices": [{"index": 0, "delta": {"tool_calls": parts}}]},
        {"choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]},
        {"choices": [], "usage": {"prompt_tokens": 50, "completion_tokens": 10}},
    ]
    stream(server, chunks)


def stream(
    server: ProviderServer, chunks: list[dict[str, Any]], *, cut: bool = False, delay: float = 0.0
) -> None:
    """Queue `chunks` as one server-sent event stream ending in [DONE]; `cut` sends only the
    first and closes the connection mid-body."""
    body = [f"data: {json.dumps(c)}\n\n".encode() for c in chunks] + [b"data: [DONE]\n\n"]
    server.reply(
        Reply(
            chunks=tuple(body[:1] if cut else body),
            headers=(("content-type", "text/event-stream"),),
            truncate=cut,
            delay=delay,
        )
    )
