"""A workbench too big for the model's window: the model gets read-only tools over the draft,
may edit only what it read, and a loop guard and a cap keep it from spinning (issue 7)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.common import ok
from tests.support.cli import run
from tests.support.gitcli import all_refs, git
from tests.support.provider_server import ProviderServer
from tests.support.scripted import answer, local_model, replace, tool_calls

__all__ = ["local_model"]  # the fixture, used by name

REPORT = "".join(f"line {n} of the report\n" for n in range(1, 12_001))  # ~72,000 tokens


@pytest.fixture
def big_bench(bench_path: Path, work_dir: Path, local_model: ProviderServer) -> Path:
    """The usual bench plus report.md, far bigger than the local model's 32,768 tokens."""
    (work_dir / "report.md").write_text(REPORT)
    ok(bench_path, "add", str(work_dir / "report.md"))
    return bench_path


def tool_results(server: ProviderServer, request: int) -> list[str]:
    messages = server.requests[request].json()["messages"]
    return [m["content"] for m in messages if m["role"] == "tool"]


def test_the_model_reads_what_it_needs_and_edits_it(
    big_bench: Path, local_model: ProviderServer
) -> None:
    tool_calls(local_model, ("read_file", {"path": "report.md", "start_line": 2, "end_line": 3}))
    tool_calls(local_model, ("search", {"text": "LINE 11999"}), ("list_files", {}))
    edits = {"summary": "Fix line 2", "files": [replace("report.md", "line 2 of", "LINE 2 OF")]}
    answer(local_model, "Fixed line 2.", edits)
    result = run(big_bench, "ask", "fix line 2", "--yes")
    assert result.exit_code == 0, result.stderr
    assert "· read_file report.md lines 2-3" in result.stdout  # each call shown as it happens
    assert "3 tool calls" in result.stdout and "Clutter [" in result.stdout
    assert "modified report.md" in " ".join(result.stdout.split())  # the draft's summary
    first = local_model.requests[0].json()
    assert [t["function"]["name"] for t in first["tools"]] == ["list_files", "read_file", "search"]
    prompt = first["messages"][-1]["content"]
    assert "report.md (text, " in prompt and "line 1 of the report" not in prompt  # listed only
    assert "list_files, read_file and search" in first["messages"][0]["content"]
    (read,) = tool_results(local_model, 1)
    assert read == "report.md: lines 2-3 of 12000 (read on with start_line=4)\n" + (
        "line 2 of the report\nline 3 of the report\n"
    )
    search, listing = tool_results(local_model, 2)[1:]
    assert search == "report.md:11999: line 11999 of the report"
    assert "data.bin (opaque, 3 bytes)" in listing
    assert git("show", "draft:report.md", cwd=big_bench).startswith("line 1 of the report\nLINE 2")


def test_an_edit_of_a_file_the_model_never_read_is_refused(
    big_bench: Path, local_model: ProviderServer
) -> None:
    before = git("rev-parse", "main", cwd=big_bench)
    answer(local_model, "Done.", {"summary": "x", "files": [replace("notes.md", "beta", "B")]})
    result = run(big_bench, "--json", "ask", "shout", "--yes")
    assert result.error_code == "EDIT_REJECTED"
    assert result.json()["error"]["subphase"] == "not_in_context"
    assert git("rev-parse", "--verify", "-q", "draft", cwd=big_bench, check=False) == ""
    assert git("rev-parse", "main", cwd=big_bench) == before
    assert ok(big_bench, "failures")["failures"][0]["code"] == "EDIT_REJECTED"


def test_a_file_read_in_part_cannot_be_rewritten_whole(
    big_bench: Path, local_model: ProviderServer
) -> None:
    tool_calls(local_model, ("read_file", {"path": "report.md", "end_line": 10}))
    write = {"path": "report.md", "ops": [{"op": "write", "content": "short\n"}]}
    answer(local_model, "Rewrote it.", {"summary": "Shorten", "files": [write]})
    result = run(big_bench, "--json", "ask", "shorten", "--yes")
    assert result.error_code == "EDIT_REJECTED"
    assert "read only in part" in result.json()["error"]["message"]
    assert git("rev-parse", "--verify", "-q", "draft", cwd=big_bench, check=False) == ""


def test_a_file_read_whole_in_parts_may_be_rewritten(
    bench_path: Path, work_dir: Path, local_model: ProviderServer
) -> None:
    (work_dir / "report.md").write_text(REPORT)
    (work_dir / "small.md").write_text("one\ntwo\n")
    ok(bench_path, "add", str(work_dir / "report.md"), str(work_dir / "small.md"))
    tool_calls(local_model, ("read_file", {"path": "small.md", "end_line": 1}))
    tool_calls(local_model, ("read_file", {"path": "small.md", "start_line": 2}))
    write = {"path": "small.md", "ops": [{"op": "write", "content": "ONE\nTWO\n"}]}
    answer(local_model, "Shouted.", {"summary": "Shout", "files": [write]})
    assert ok(bench_path, "ask", "shout", "--yes")["status"] == "applied"
    assert git("show", "draft:small.md", cwd=bench_path) == "ONE\nTWO"


def test_the_loop_guard_warns_at_the_third_identical_call_and_stops_at_the_fifth(
    big_bench: Path, local_model: ProviderServer
) -> None:
    same = ("read_file", {"path": "notes.md"})
    for _ in range(5):
        tool_calls(local_model, same)
    before = all_refs(big_bench)
    result = run(big_bench, "--json", "ask", "loop", "--yes")
    assert result.error_code == "BUDGET_CAP_REACHED"
    error = result.json()["error"]
    assert error["subphase"] == "tool_loop" and error["phase"] == "tools"
    assert not tool_results(local_model, 1)[0].startswith("warning")  # 2nd call: no warning
    third = tool_results(local_model, 3)[-1]
    assert third.startswith("warning: this is call number 3 with exactly these arguments")
    assert len(local_model.requests) == 5  # the 5th call was never answered
    after = all_refs(big_bench)
    assert after.pop("refs/notes/gitbench/failures") and after.pop("refs/gitbench/conversation")
    assert {
        k: v for k, v in before.items() if "notes" not in k and "conversation" not in k
    } == after


def test_different_calls_are_not_a_loop_but_the_cap_stops_them(
    big_bench: Path, local_model: ProviderServer
) -> None:
    ok(big_bench, "config", "set", "workshop.max_tool_calls", "3")
    for line in range(1, 5):
        tool_calls(local_model, ("read_file", {"path": "report.md", "start_line": line}))
    result = run(big_bench, "--json", "ask", "read everything", "--yes")
    assert result.error_code == "BUDGET_CAP_REACHED"
    assert result.json()["error"]["subphase"] == "tool_calls"
    assert len(local_model.requests) == 4
    assert git("rev-parse", "--verify", "-q", "draft", cwd=big_bench, check=False) == ""


def test_reads_stop_at_the_window_and_bad_calls_are_explained(
    big_bench: Path, local_model: ProviderServer
) -> None:
    tool_calls(
        local_model,
        ("read_file", {"path": "report.md"}),
        ("read_file", {"path": "data.bin"}),
        ("read_file", {"path": "missing.md"}),
        ("read_file", {"path": "report.md", "start_line": "two"}),
        ("unknown_tool", {}),
    )
    answer(local_model, "I read enough.")
    assert ok(big_bench, "ask", "read", "--yes")["status"] == "no_changes"
    results = tool_results(local_model, 1)
    # At most 400 lines at a time; the answer says where to go on.
    assert results[0].startswith("report.md: lines 1-400 of 12000 (read on with start_line=401)")
    assert results[1].startswith("error: data.bin is opaque")
    assert results[2].startswith("error: no file 'missing.md'")
    assert (
        results[3]
        == "error: bad arguments for read_file: 'start_line' must be a whole number from 1"
    )
    assert results[4].startswith("error: there is no tool 'unknown_tool'")


def test_when_even_the_file_list_does_not_fit_the_turn_is_context_exhausted(
    bench_path: Path, work_dir: Path, local_model: ProviderServer
) -> None:
    many = work_dir / "archive"
    many.mkdir()
    for n in range(700):
        (many / f"entry-{n:04}.md").write_text(f"entry {n}\n")
    ok(bench_path, "config", "set", "limits.max_files", "5000")
    ok(bench_path, "add", str(many))
    tiny = ("--model", "ollama:tiny")  # an unknown local model: 8,192 tokens
    result = run(bench_path, "--json", "ask", "summarise", "--yes", *tiny)
    assert result.error_code == "CONTEXT_EXHAUSTED"
    detail = result.json()["error"]["detail"]
    assert detail["files"] == 703 and "--only PATH" in detail["hint"]
    assert local_model.requests == []
    answer(local_model, "Fine without them.")
    done = ok(bench_path, "ask", "summarise", "--yes", "--exclude", "archive", *tiny)
    assert done["status"] == "no_changes" and done["tool_calls"] == 0
    sent = json.dumps(local_model.requests[0].json())
    assert "archive/" not in sent and "alpha" in sent  # the rest fit, sent whole
