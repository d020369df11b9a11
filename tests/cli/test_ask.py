"""`gitbench ask` end to end, against a local model server on loopback speaking the OpenAI wire
format (plain HTTP to localhost, as Ollama does); the policy layer stays on."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.cli.common import ok
from tests.support.cli import run
from tests.support.gitcli import all_refs, git
from tests.support.provider_server import ProviderServer
from tests.support.scripted import MODEL, answer, local_model, replace, text_answer

__all__ = ["local_model"]  # the fixture, used by name


def test_a_turn_that_edits_two_files_becomes_one_draft_commit(
    bench_path: Path, local_model: ProviderServer
) -> None:
    main = git("rev-parse", "main", cwd=bench_path)
    edits = {
        "summary": "Tidy the notes",
        "files": [
            replace("notes.md", "beta", "BETA"),
            replace("docs/guide.md", "Guide", "User guide"),
        ],
    }
    answer(local_model, "I capitalised beta and renamed the guide.", edits)
    result = run(bench_path, "ask", "tidy up", "--yes")
    assert result.exit_code == 0, result.stderr
    assert "I capitalised beta and renamed the guide." in result.stdout  # streamed as it came
    assert "gitbench review" in result.stdout
    assert git("rev-parse", "main", cwd=bench_path) == main
    assert git("show", "draft:notes.md", cwd=bench_path) == "alpha\nBETA"
    assert git("show", "draft:docs/guide.md", cwd=bench_path) == "# User guide"
    message = git("log", "-1", "--format=%B", "draft", cwd=bench_path)
    for trailer in (
        "Gitbench-Model: ollama:qwen2.5-coder",
        "Gitbench-Provider: ollama",
        "Gitbench-Tokens: 120 in, 30 out",
        "Gitbench-Turn: ",
    ):
        assert trailer in message
    (request,) = local_model.requests
    prompt = request.json()["messages"][-1]["content"]
    assert "=== notes.md ===" in prompt and "data.bin (opaque" in prompt  # opaque: metadata only
    log = [
        json.loads(line)
        for line in git("show", "refs/gitbench/conversation:log.jsonl", cwd=bench_path).splitlines()
    ]
    assert [e["kind"] for e in log][:2] == ["user", "assistant"]


def test_a_question_needing_no_change_creates_no_draft(
    bench_path: Path, local_model: ProviderServer
) -> None:
    answer(local_model, "The notes have two lines.")
    result = ok(bench_path, "ask", "how long are the notes?", "--yes")
    assert result["status"] == "no_changes" and result["commit"] is None
    assert git("rev-parse", "--verify", "-q", "draft", cwd=bench_path, check=False) == ""


def test_a_rejected_turn_is_fixed_by_the_retry(
    bench_path: Path, local_model: ProviderServer
) -> None:
    answer(local_model, "Done.", {"summary": "x", "files": [replace("notes.md", "gamma", "G")]})
    answer(
        local_model,
        "Fixed.",
        {"summary": "Shout", "files": [replace("notes.md", "alpha", "ALPHA")]},
    )
    result = ok(bench_path, "ask", "shout", "--yes")
    assert result["attempts"] == 2 and result["status"] == "applied"
    second = local_model.requests[1].json()["messages"][-1]["content"]
    assert "no_match" in second and "alpha\nbeta" in second  # the reason and the fresh content
    assert git("show", "draft:notes.md", cwd=bench_path) == "ALPHA\nbeta"
    # Spec T18: the retry is a model call like the first, through the policy gate again.
    events = ok(bench_path, "egress", "log")["events"]
    assert [e["outcome"] for e in events] == ["allowed", "allowed"]


def test_without_consent_nothing_is_sent(bench_path: Path, local_model: ProviderServer) -> None:
    before = all_refs(bench_path)
    result = run(bench_path, "--json", "ask", "anything")
    assert result.error_code == "EGRESS_CONSENT_REQUIRED"
    assert [a["action"] for a in result.json()["error"]["actions"]] == [
        "grant_consent",
        "switch_model",
    ]
    assert local_model.requests == [] and local_model.connections == 0
    after = all_refs(bench_path)
    assert after.pop("refs/notes/gitbench/failures") and after.pop("refs/gitbench/conversation")
    assert after == before


def test_a_new_file_changes_the_scope_and_asks_for_consent_again(
    bench_path: Path, local_model: ProviderServer, work_dir: Path
) -> None:
    granted = run(
        bench_path,
        "consent",
        "grant",
        "--provider",
        "ollama",
        "--model",
        "qwen2.5-coder",
        "--persist",
        "--yes",
    )
    assert granted.exit_code == 0, granted.stderr
    answer(local_model, "Hello.")
    assert ok(bench_path, "ask", "hi")["status"] == "no_changes"
    (work_dir / "new.md").write_text("new\n")
    ok(bench_path, "add", str(work_dir / "new.md"))
    assert run(bench_path, "--json", "ask", "hi again").error_code == "EGRESS_CONSENT_REQUIRED"
    assert len(local_model.requests) == 1


def test_a_cut_stream_changes_nothing_and_is_recorded(
    bench_path: Path, local_model: ProviderServer
) -> None:
    answer(
        local_model,
        "I will edit",
        {"summary": "s", "files": [replace("notes.md", "beta", "B")]},
        cut=True,
    )
    result = run(bench_path, "--json", "ask", "edit", "--yes")
    assert result.error_code == "PROVIDER_UNAVAILABLE"
    assert git("rev-parse", "--verify", "-q", "draft", cwd=bench_path, check=False) == ""
    failures = ok(bench_path, "failures")["failures"]
    assert [f["code"] for f in failures] == ["PROVIDER_UNAVAILABLE"] and failures[0][
        "command"
    ] == "ask"


def test_draft_undo_drops_the_last_turn(bench_path: Path, local_model: ProviderServer) -> None:
    answer(local_model, "one", {"summary": "One", "files": [replace("notes.md", "alpha", "ONE")]})
    answer(local_model, "two", {"summary": "Two", "files": [replace("notes.md", "beta", "TWO")]})
    ok(bench_path, "ask", "first", "--yes")
    assert "Changes on the draft" not in local_model.requests[0].json()["messages"][-1]["content"]
    second = ok(bench_path, "ask", "second", "--yes")["commit"]
    prompt = local_model.requests[1].json()["messages"][-1]["content"]
    assert "Changes on the draft so far" in prompt and "- modified notes.md (+1 -1)" in prompt
    assert "-alpha\n+ONE" in prompt  # the earlier turn's diff itself
    undone = ok(bench_path, "draft", "undo")
    assert undone["dropped"] == second and undone["subject"] == "One"
    assert git("show", "draft:notes.md", cwd=bench_path) == "ONE\nbeta"
    assert second in git("reflog", "draft", "--format=%H", cwd=bench_path)
    only = ok(bench_path, "draft", "undo")
    assert only["saved_as"].startswith("refs/gitbench/discarded/")
    assert ok(bench_path, "discard", "--undo")["tip"] == only["dropped"]


def test_a_turn_may_create_a_file_but_not_over_an_existing_one(
    bench_path: Path, local_model: ProviderServer
) -> None:
    create = {"path": "summary.md", "action": "create", "ops": [{"op": "write", "content": "S\n"}]}
    answer(local_model, "Created.", {"summary": "Add summary", "files": [create]})
    assert ok(bench_path, "ask", "summarise", "--yes")["status"] == "applied"
    assert git("show", "draft:summary.md", cwd=bench_path) == "S"
    clobber = {
        "path": "notes.md",
        "action": "create",
        "ops": [{"op": "write", "content": "gone\n"}],
    }
    answer(local_model, "Oops.", {"summary": "Clobber", "files": [clobber]})
    answer(local_model, "Oops again.", {"summary": "Clobber", "files": [clobber]})
    result = run(bench_path, "--json", "ask", "again", "--yes")
    assert result.error_code == "EDIT_REJECTED"
    assert git("show", "draft:notes.md", cwd=bench_path) == "alpha\nbeta"


def test_a_model_asked_for_blocks_edits_through_them(
    bench_path: Path, local_model: ProviderServer
) -> None:
    assert ok(bench_path, "model", "format", MODEL, "blocks")["format"] == "blocks"
    text_answer(
        local_model,
        "Capitalised.\n\nnotes.md\n<<<<<<< SEARCH\nbeta\n=======\nBETA\n>>>>>>> REPLACE\n",
    )
    result = ok(bench_path, "ask", "shout", "--yes")
    assert result["status"] == "applied" and result["reply"] == "Capitalised."
    assert git("show", "draft:notes.md", cwd=bench_path) == "alpha\nBETA"
    (request,) = local_model.requests
    assert "response_format" not in request.json()
    assert "SEARCH/REPLACE" in request.json()["messages"][0]["content"]
    text_answer(local_model, "Nothing to change.")
    assert ok(bench_path, "ask", "anything?", "--yes")["status"] == "no_changes"


def test_a_malformed_block_is_re_asked_with_the_line_that_failed(
    bench_path: Path, local_model: ProviderServer
) -> None:
    ok(bench_path, "model", "format", MODEL, "blocks")
    text_answer(local_model, "Here.\n\nnotes.md\n<<<<<<< SEARCH\nbeta\n>>>>>>> REPLACE\n")
    text_answer(
        local_model, "Fixed.\n\nnotes.md\n<<<<<<< SEARCH\nbeta\n=======\nB\n>>>>>>> REPLACE\n"
    )
    assert ok(bench_path, "ask", "shout", "--yes")["attempts"] == 2
    assert "schema_invalid" in local_model.requests[1].json()["messages"][-1]["content"]
    assert git("show", "draft:notes.md", cwd=bench_path) == "alpha\nB"


def test_a_put_between_context_and_apply_is_never_overwritten(
    bench_path: Path, local_model: ProviderServer
) -> None:
    """The model answers about notes.md as it was; meanwhile a person puts a new notes.md.
    The stale edit is refused (blob_mismatch), never re-stamped: the model is asked again
    with the fresh content, and the person's line survives."""
    stale = {"summary": "Shout", "files": [replace("notes.md", "beta", "BETA")]}
    answer(local_model, "Shouted.", stale, delay=1.5)
    answer(local_model, "Shouted again.", stale)

    def put_while_the_model_thinks() -> None:
        deadline = time.monotonic() + 10
        while not local_model.requests and time.monotonic() < deadline:
            time.sleep(0.02)
        subprocess.run(
            [sys.executable, "-m", "gitbench", "put", "notes.md"],
            input=b"alpha\nbeta\ngamma\n",
            cwd=bench_path,
            check=True,
        )

    person = threading.Thread(target=put_while_the_model_thinks)
    person.start()
    result = ok(bench_path, "ask", "shout", "--yes")
    person.join()
    assert result["attempts"] == 2
    assert "blob_mismatch" in local_model.requests[1].json()["messages"][-1]["content"]
    assert git("show", "draft:notes.md", cwd=bench_path) == "alpha\nBETA\ngamma"
    subjects = git("log", "--format=%s", "main..draft", cwd=bench_path).splitlines()
    assert subjects == ["Shout", "Write notes.md"]
