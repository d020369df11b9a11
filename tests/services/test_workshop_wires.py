"""A workshop turn with read tools through each cloud provider's wire format, over loopback
HTTPS with the production wiring: the model reads a file, then answers with an edit of it."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from gitbench.config import load_environment
from gitbench.services.workshop import ask
from gitbench.store.repo import Workbench
from tests.support.cli import run
from tests.support.gitcli import git
from tests.support.provider_server import ProviderServer, Reply, serve

KEY = "sk-test-workshop-wires-0123456789"
# Bigger than a 1,048,576-token window (4 characters a token): the model must use the tools.
REPORT = "".join(f"line {n:07} of the report\n" for n in range(1, 180_001))
READ = {"path": "report.md", "start_line": 1, "end_line": 2}
ANSWER = {
    "reply": "Shouted line 1.",
    "edits": {
        "summary": "Shout line 1",
        "files": [
            {
                "path": "report.md",
                "ops": [{"op": "replace", "search": "line 0000001 of", "replace": "LINE 1 OF"}],
            }
        ],
    },
}


def _sse(*events: dict[str, Any] | str, named: bool = False) -> Reply:
    chunks = []
    for event in events:
        data = event if isinstance(event, str) else json.dumps(event)
        head = f"event: {event['type']}\n" if named and isinstance(event, dict) else ""
        chunks.append(f"{head}data: {data}\n\n".encode())
    return Reply(chunks=tuple(chunks), headers=(("content-type", "text/event-stream"),))


def _anthropic_tool(name: str, arguments: dict[str, Any], stop: str) -> Reply:
    return _sse(
        {"type": "message_start", "message": {"usage": {"input_tokens": 9, "output_tokens": 1}}},
        {
            "type": "content_block_start",
            "index": 0,
            "content_block": {"type": "tool_use", "id": f"toolu_{name}", "name": name, "input": {}},
        },
        {
            "type": "content_block_delta",
            "index": 0,
            "delta": {"type": "input_json_delta", "partial_json": json.dumps(arguments)},
        },
        {"type": "content_block_stop", "index": 0},
        {"type": "message_delta", "delta": {"stop_reason": stop}, "usage": {"output_tokens": 5}},
        {"type": "message_stop"},
        named=True,
    )


def _gemini_call(name: str, arguments: dict[str, Any]) -> Reply:
    part = {"functionCall": {"name": name, "args": arguments}}
    return _sse({"candidates": [{"content": {"parts": [part]}, "finishReason": "STOP"}]})


def _openai_call(name: str, arguments: dict[str, Any]) -> Reply:
    call = {
        "index": 0,
        "id": "call_1",
        "function": {"name": name, "arguments": json.dumps(arguments)},
    }
    return _sse(
        {"choices": [{"index": 0, "delta": {"tool_calls": [call]}, "finish_reason": "tool_calls"}]},
        "[DONE]",
    )


def _openai_answer() -> Reply:
    content = json.dumps(ANSWER)
    return _sse(
        {"choices": [{"index": 0, "delta": {"content": content}, "finish_reason": "stop"}]},
        "[DONE]",
    )


def _anthropic_result(body: dict[str, Any]) -> str:
    (block,) = body["messages"][-1]["content"]
    assert block["type"] == "tool_result" and block["tool_use_id"] == "toolu_read_file"
    assert body["tool_choice"] == {"type": "any"}
    return str(block["content"])


def _gemini_result(body: dict[str, Any]) -> str:
    response = body["contents"][-1]["parts"][0]["functionResponse"]
    assert response["name"] == "read_file"
    assert body["toolConfig"] == {"functionCallingConfig": {"mode": "ANY"}}
    return str(response["response"]["content"])


def _openai_result(body: dict[str, Any]) -> str:
    message = body["messages"][-1]
    assert message["role"] == "tool" and message["tool_call_id"] == "call_1"
    return str(message["content"])


WIRES: dict[str, tuple[str, str, str, list[Reply], Callable[[dict[str, Any]], str]]] = {
    "anthropic": (
        "anthropic:claude-sonnet-4-5",
        "ANTHROPIC_API_KEY",
        "",
        [
            _anthropic_tool("read_file", READ, "tool_use"),
            _anthropic_tool("answer", ANSWER, "tool_use"),
        ],
        _anthropic_result,
    ),
    "google": (
        "google:gemini-2.5-pro",
        "GEMINI_API_KEY",
        "",
        [_gemini_call("read_file", READ), _gemini_call("answer", ANSWER)],
        _gemini_result,
    ),
    "openai": (
        "openai:gpt-4.1",
        "OPENAI_API_KEY",
        "/v1",
        [_openai_call("read_file", READ), _openai_answer()],
        _openai_result,
    ),
}


@pytest.fixture
def provider(tmp_path: Path) -> Iterator[ProviderServer]:
    with serve(tmp_path) as server:
        yield server


@pytest.mark.parametrize("name", sorted(WIRES))
def test_a_turn_reads_through_the_tools_and_edits_what_it_read(
    name: str,
    wb: Workbench,
    bench_path: Path,
    work_dir: Path,
    provider: ProviderServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    model, key_variable, path, replies, tool_result = WIRES[name]
    monkeypatch.setenv("XDG_CONFIG_HOME", str(bench_path.parent / "xdg"))
    monkeypatch.setenv(key_variable, KEY)
    (work_dir / "report.md").write_text(REPORT)
    assert run(bench_path, "config", "set", "limits.max_file_bytes", str(10 << 20)).exit_code == 0
    assert run(bench_path, "add", str(work_dir / "report.md")).exit_code == 0
    url = provider.url + path
    set_url = run(bench_path, "providers", "set-url", model.split(":")[0], url, "--yes")
    assert set_url.exit_code == 0
    assert run(bench_path, "model", "format", model, "json").exit_code == 0
    provider_name, model_name = model.split(":", 1)
    granted = run(
        bench_path,
        *("consent", "grant", "--provider", provider_name, "--model", model_name),
        *("--persist", "--yes", "--base-url", url),
    )
    assert granted.exit_code == 0, granted.stderr
    for reply in replies:
        provider.reply(reply)
    tools: list[str] = []
    result = ask(
        wb,
        "shout line 1",
        env=load_environment(),
        model_override=model,
        on_tool=tools.append,
        ca_bundle=provider.ca_pem,
    )
    assert result.status == "applied" and result.tool_calls == 1
    assert tools == ["read_file report.md lines 1-2"]
    second = provider.requests[1].json()
    assert tool_result(second) == (
        "report.md: lines 1-2 of 180000 (read on with start_line=3)\n"
        "line 0000001 of the report\nline 0000002 of the report\n"
    )
    assert git("show", "draft:report.md", cwd=bench_path).startswith(
        "LINE 1 OF the report\nline 0000002"
    )
