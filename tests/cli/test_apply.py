from __future__ import annotations

import json
from pathlib import Path

from tests.cli.common import ok
from tests.support.cli import run
from tests.support.gitcli import all_refs, git

EDIT = {
    "summary": "Capitalise beta",
    "files": [
        {"path": "notes.md", "ops": [{"op": "replace", "search": "beta", "replace": "BETA"}]}
    ],
}


def test_apply_from_a_file_and_from_stdin(bench_path: Path, work_dir: Path) -> None:
    doc = work_dir / "edit.json"
    doc.write_text(json.dumps(EDIT))
    result = ok(bench_path, "apply", str(doc))
    assert result["status"] == "applied"
    assert git("show", "draft:notes.md", cwd=bench_path) == "alpha\nBETA"
    second = dict(
        EDIT,
        files=[{"path": "notes.md", "ops": [{"op": "replace", "search": "alpha", "replace": "A"}]}],
    )
    assert ok(bench_path, "apply", "-", input=json.dumps(second))["status"] == "applied"
    assert git("rev-list", "--count", "main..draft", cwd=bench_path) == "2"


def test_a_rejected_edit_prints_each_failed_check_and_exits_8(bench_path: Path) -> None:
    bad = dict(
        EDIT,
        files=[{"path": "notes.md", "ops": [{"op": "replace", "search": "gamma", "replace": "x"}]}],
    )
    before = all_refs(bench_path)
    result = run(bench_path, "--json", "apply", "-", input=json.dumps(bad))
    assert result.exit_code == 8
    error = result.json()["error"]
    assert (error["code"], error["phase"], error["subphase"]) == (
        "EDIT_REJECTED",
        "resolve",
        "no_match",
    )
    after = all_refs(bench_path)
    assert after.pop(
        "refs/notes/gitbench/failures"
    )  # the rejection is recorded; nothing else moves
    assert after == before
    assert [a["action"] for a in error["actions"]] == ["view_report", "review_draft"]
    human = run(bench_path, "apply", "-", input=json.dumps(bad))
    assert human.exit_code == 8
    assert "no_match" in human.stderr and "notes.md" in human.stderr
    assert "gitbench failures" in human.stderr


def test_a_document_that_is_not_the_schema_is_schema_invalid(bench_path: Path) -> None:
    result = run(bench_path, "--json", "apply", "-", input='{"files": []}')
    assert result.exit_code == 8
    error = result.json()["error"]
    assert (error["phase"], error["subphase"]) == ("schema", "schema_invalid")


def test_rejections_are_listed_by_failures(bench_path: Path) -> None:
    bad = dict(
        EDIT,
        files=[{"path": "notes.md", "ops": [{"op": "replace", "search": "zzz", "replace": "x"}]}],
    )
    run(bench_path, "apply", "-", input=json.dumps(bad))
    (failure,) = ok(bench_path, "failures")["failures"]
    assert failure["code"] == "EDIT_REJECTED" and failure["command"] == "apply"
