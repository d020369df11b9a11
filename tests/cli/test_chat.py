"""`gitbench chat`: turns and slash commands in one session, consent at the prompt, failures
that leave the session going (issue 7). The session is fed on stdin, as a person types it."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.common import ok
from tests.support.cli import run
from tests.support.gitcli import git
from tests.support.provider_server import ProviderServer
from tests.support.scripted import MODEL, answer, local_model, replace

__all__ = ["local_model"]  # the fixture, used by name


def chat(bench: Path, *lines: str, args: tuple[str, ...] = ()) -> str:
    result = run(bench, "chat", *args, input="".join(f"{line}\n" for line in lines))
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return " ".join((result.stdout + result.stderr).split())


def events(bench: Path) -> list[str]:
    log = git("show", "refs/gitbench/conversation:log.jsonl", cwd=bench).splitlines()
    return [e["text"] for e in map(json.loads, log) if e["kind"] == "event"]


def test_a_session_asks_reviews_and_publishes(
    bench_path: Path, local_model: ProviderServer
) -> None:
    edits = {"summary": "Shout beta", "files": [replace("notes.md", "beta", "BETA")]}
    answer(local_model, "I capitalised beta.", edits)
    said = chat(bench_path, "shout beta", "y", "/review", "/publish", "/quit")
    assert "needs your consent" in said and "I capitalised beta." in said
    assert "Draft: 1 file(s) changed, +1 -1" in said and "/publish" in said
    assert "-beta +BETA" in said  # /review shows the patch
    checkpoint = ok(bench_path, "checkpoint", "list")["checkpoints"][0]["id"]
    assert f"Undo with gitbench checkpoint restore {checkpoint}" in said
    assert git("show", "main:notes.md", cwd=bench_path) == "alpha\nBETA"
    assert git("rev-parse", "--verify", "-q", "draft", cwd=bench_path, check=False) == ""
    log = git("show", "refs/gitbench/conversation:log.jsonl", cwd=bench_path).splitlines()
    asked = [e["text"] for e in map(json.loads, log) if e["kind"] == "user"]
    assert asked == ["shout beta"]  # saved once: the refused first try saved nothing
    seen = events(bench_path)
    assert seen[0] == "turn failed: EGRESS_CONSENT_REQUIRED"  # asked, then given at the prompt
    assert seen[1:3] == ["draft created", "turn applied"] and seen[3].startswith("published")
    assert "Clutter [" in said and "light" in said


def test_no_at_the_consent_prompt_sends_nothing_and_the_session_goes_on(
    bench_path: Path, local_model: ProviderServer
) -> None:
    said = chat(bench_path, "hello", "n", "/status", "/quit")
    assert "Nothing was sent." in said and "EGRESS_CONSENT_REQUIRED" in said
    assert "Published" in said or "main" in said  # /status still ran
    assert local_model.requests == [] and local_model.connections == 0


def test_a_scope_change_in_the_session_asks_for_consent_again(
    bench_path: Path, local_model: ProviderServer
) -> None:
    create = {"path": "summary.md", "action": "create", "ops": [{"op": "write", "content": "S\n"}]}
    answer(local_model, "Created.", {"summary": "Add summary", "files": [create]})
    answer(local_model, "Hello again.")
    said = chat(bench_path, "summarise", "y", "/publish", "hi", "y", "/quit")
    # The publish added summary.md to what would be sent: a new scope, so a new question.
    assert said.count("needs your consent") == 2
    assert "Hello again." in said and len(local_model.requests) == 2


def test_yes_consents_for_the_session_and_a_new_model_asks_again(
    bench_path: Path, local_model: ProviderServer
) -> None:
    answer(local_model, "One.")
    said = chat(
        bench_path, "first", "/model nope", "/model ollama:other", "second", "n", args=("--yes",)
    )
    assert "needs your consent" in said and said.count("needs your consent") == 1  # not for 1st
    assert "VALIDATION_FAILED" in said and "Now using ollama:other" in said
    assert len(local_model.requests) == 1


def test_discard_asks_first_and_no_draft_is_a_clear_error(
    bench_path: Path, local_model: ProviderServer
) -> None:
    answer(local_model, "Done.", {"summary": "s", "files": [replace("notes.md", "alpha", "A")]})
    said = chat(
        bench_path, "/discard", "go", "/discard", "n", "/discard", "y", "/quit", args=("--yes",)
    )
    assert "NO_DRAFT" in said and "Kept the draft." in said
    assert "bring it back with gitbench discard --undo" in said
    assert git("rev-parse", "--verify", "-q", "draft", cwd=bench_path, check=False) == ""
    assert "discarded draft" in " ".join(events(bench_path))


def test_undo_drops_the_last_turn(bench_path: Path, local_model: ProviderServer) -> None:
    answer(local_model, "One.", {"summary": "One", "files": [replace("notes.md", "alpha", "1")]})
    answer(local_model, "Two.", {"summary": "Two", "files": [replace("notes.md", "beta", "2")]})
    said = chat(bench_path, "first", "second", "/undo", "/quit", args=("--yes",))
    assert "the draft is at" in said and "(One)" in said
    assert git("show", "draft:notes.md", cwd=bench_path) == "1\nbeta"


def test_unknown_commands_and_help(bench_path: Path, local_model: ProviderServer) -> None:
    said = chat(bench_path, "/frobnicate", "/help", "", "/model")
    assert "Unknown command /frobnicate" in said and "/publish make the draft" in said
    assert f"The model is {MODEL}" in said
    assert local_model.requests == []


def test_json_gives_one_document_for_the_session(
    bench_path: Path, local_model: ProviderServer
) -> None:
    answer(local_model, "Hi.")
    result = run(bench_path, "--json", "chat", "--yes", input="hello\n/status\n/publish\n")
    assert result.exit_code == 0
    document = result.json()  # stdout holds this document and nothing else
    chat_result = document["result"]
    assert chat_result["model"] == MODEL and chat_result["commands"] == ["/status", "/publish"]
    assert [t["reply"] for t in chat_result["turns"]] == ["Hi."]
    assert chat_result["failures"] == [
        {"input": "/publish", "code": "NO_DRAFT", "message": chat_result["failures"][0]["message"]}
    ]


def test_always_at_the_consent_prompt_grants_for_good(
    bench_path: Path, local_model: ProviderServer
) -> None:
    answer(local_model, "One.")
    answer(local_model, "Two.")
    said = chat(bench_path, "first", "a", "/quit")
    assert "One." in said
    grants = ok(bench_path, "consent")["grants"]
    assert [(g["provider"], g["model"], g["persisted"]) for g in grants] == [
        ("ollama", "qwen2.5-coder", True)
    ]
    assert "needs your consent" not in chat(bench_path, "second", "/quit")  # remembered
