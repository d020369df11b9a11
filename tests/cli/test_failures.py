"""gitbench failures: the failure notes under refs/notes/gitbench/failures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gitbench.errors import ErrorCode
from tests.cli.common import error_document, ok, refused, snapshot
from tests.support.benches import make_bench
from tests.support.cli import run
from tests.support.gitcli import git, rev

NOTES = "refs/notes/gitbench/failures"
NOTE = '{"schema":1,"records":[{"code":"DISK_FULL","message":"m","phase":"p"}]}'


def note_on(root: Path, commit: str) -> dict[str, object]:
    shown = git("notes", "--ref=gitbench/failures", "show", commit, cwd=root)
    document: dict[str, object] = json.loads(shown)
    return document


def test_failures_is_empty_at_first(bench_path: Path) -> None:
    assert ok(bench_path, "failures")["failures"] == []
    assert "No failures recorded." in run(bench_path, "failures").stdout


def test_failures_lists_a_note_written_with_git(bench_path: Path) -> None:
    git("notes", "--ref=gitbench/failures", "add", "-m", NOTE, "main", cwd=bench_path)
    [failure] = ok(bench_path, "failures")["failures"]
    assert failure["commit"] == rev(bench_path, "main")
    assert (failure["code"], failure["message"], failure["phase"]) == ("DISK_FULL", "m", "p")
    assert "DISK_FULL" in run(bench_path, "failures").stdout


def test_failures_keeps_a_plain_text_note(bench_path: Path) -> None:
    git("notes", "--ref=gitbench/failures", "add", "-m", "it broke", "main", cwd=bench_path)
    [failure] = ok(bench_path, "failures")["failures"]
    assert failure["message"].strip() == "it broke"
    assert failure["code"] == "UNKNOWN"


def test_failures_lists_notes_on_several_commits(tmp_path: Path) -> None:
    root = make_bench(tmp_path / "bench", {"a.md": "a\n"}, draft={"a.md": "b\n"})
    git("notes", "--ref=gitbench/failures", "add", "-m", NOTE, "main", cwd=root)
    git("notes", "--ref=gitbench/failures", "add", "-m", NOTE, "draft", cwd=root)
    commits = {f["commit"] for f in ok(root, "failures")["failures"]}
    assert commits == {rev(root, "main"), rev(root, "draft")}


def test_a_failing_command_records_a_failure_note(bench_path: Path) -> None:
    # A lock file left on the draft ref makes the ref update fail: a failure, not a refusal.
    (bench_path / ".git" / "refs" / "heads" / "draft.lock").write_text("")
    main = rev(bench_path, "main")
    assert main is not None
    result = run(bench_path, "--json", "put", "x.md", input=b"top secret content\n")
    error = error_document(result)
    assert error["code"] == "CONCURRENT_UPDATE"
    assert error["phase"] == "update_refs"
    assert result.exit_code == int(ErrorCode.CONCURRENT_UPDATE.exit_status)
    assert rev(bench_path, "draft") is None
    [record] = note_on(bench_path, main)["records"]  # type: ignore[misc]
    assert record["code"] == "CONCURRENT_UPDATE"
    assert record["phase"] == "update_refs"
    assert record["command"] == "put"
    [listed] = ok(bench_path, "failures")["failures"]
    assert listed["commit"] == main
    assert listed["command"] == "put"
    assert listed["code"] == "CONCURRENT_UPDATE"


def test_a_failure_note_never_holds_file_content(bench_path: Path) -> None:
    (bench_path / ".git" / "refs" / "heads" / "draft.lock").write_text("")
    run(bench_path, "--json", "put", "x.md", input=b"sk-live-0123456789abcdef\n")
    shown = git("notes", "--ref=gitbench/failures", "show", "main", cwd=bench_path)
    assert "sk-live-0123456789abcdef" not in shown


def test_a_failed_add_puts_the_working_tree_back(bench_path: Path, work_dir: Path) -> None:
    (bench_path / ".git" / "refs" / "heads" / "main.lock").write_text("")
    (work_dir / "new.md").write_text("new\n")
    (work_dir / "notes.md").write_text("replacement\n")
    before = snapshot(bench_path)
    result = run(bench_path, "--json", "add", str(work_dir / "new.md"), str(work_dir / "notes.md"))
    assert error_document(result)["code"] == "CONCURRENT_UPDATE"
    after = snapshot(bench_path)
    assert after["files"] == before["files"]
    assert after["index"] == before["index"]
    assert after["HEAD"] == before["HEAD"]
    assert {k: v for k, v in after["refs"].items() if k != NOTES} == before["refs"]
    assert ok(bench_path, "failures")["failures"][0]["command"] == "add"


def test_a_refusal_records_no_failure_note(tmp_path: Path) -> None:
    root = make_bench(tmp_path / "bench", {"a.md": "a\n"}, draft={"a.md": "b\n"})
    refused(root, "rm", "a.md", code=ErrorCode.DRAFT_EXISTS, phase="gate")
    refused(root, "put", "../x", input=b"x", code=ErrorCode.SANDBOX_VIOLATION, phase="validating")
    assert rev(root, NOTES) is None
    assert ok(root, "failures")["failures"] == []


def test_failures_counted_in_status(bench_path: Path) -> None:
    (bench_path / ".git" / "refs" / "heads" / "draft.lock").write_text("")
    run(bench_path, "--json", "put", "x.md", input=b"x\n")
    assert ok(bench_path, "status")["failures"] == 1


@pytest.mark.parametrize("field", ["code", "phase", "command", "created_at"])
def test_failures_human_output_shows_any_note_text_literally(bench_path: Path, field: str) -> None:
    record = {"code": "X", "message": "m", "phase": "p", "command": "c", "created_at": "t"}
    record[field] = "[/]"
    note = json.dumps({"schema": 1, "records": [record]})
    git("notes", "--ref=gitbench/failures", "add", "-m", note, "main", cwd=bench_path)
    result = run(bench_path, "failures")
    assert result.exit_code == 0
    assert "[/]" in result.stdout


@pytest.mark.parametrize("records", ['["oops"]', "[1, null]"])
def test_failures_lists_a_note_with_odd_records(bench_path: Path, records: str) -> None:
    note = f'{{"schema":1,"records":{records}}}'
    git("notes", "--ref=gitbench/failures", "add", "-m", note, "main", cwd=bench_path)
    failures = ok(bench_path, "failures")["failures"]
    assert failures
    assert {f["commit"] for f in failures} == {rev(bench_path, "main")}
