"""The safe edit pipeline against real workbenches: one commit on the draft, or nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gitbench.errors import ErrorCode, GitbenchError
from gitbench.services.proposals import apply_document, run_proposal
from gitbench.services.shown import RetryRequest, record_context
from gitbench.store import telemetry
from gitbench.store.repo import Workbench
from tests.support.benches import commit_on_branch
from tests.support.gitcli import all_refs, git


def _doc(*files: dict[str, object], summary: str = "Edit") -> str:
    return json.dumps({"summary": summary, "files": list(files)})


def _replace(path: str, search: str, replace: str) -> dict[str, object]:
    return {"path": path, "ops": [{"op": "replace", "search": search, "replace": replace}]}


def _events(wb: Workbench, name: str) -> list[dict[str, object]]:
    return [e for e in telemetry.read_events(wb) if e["event"] == name]


def test_t01_a_replace_becomes_one_draft_commit_with_trailers(
    wb: Workbench, bench_path: Path
) -> None:
    main = git("rev-parse", "main", cwd=bench_path)
    result = apply_document(wb, _doc(_replace("notes.md", "beta", "BETA"), summary="Shout beta"))
    assert result.status == "applied"
    assert git("rev-parse", "draft^", cwd=bench_path) == main  # parent = old head
    assert git("show", "draft:notes.md", cwd=bench_path) == "alpha\nBETA"
    assert git("rev-parse", "main", cwd=bench_path) == main
    message = git("log", "-1", "--format=%B", "draft", cwd=bench_path)
    assert message.startswith("Shout beta\n")
    assert f"Gitbench-Proposal: {result.proposal_id}" in message
    assert f"Gitbench-Base: {main}" in message
    assert "Gitbench-Model: person" in message and "Gitbench-Attempt: 1" in message
    (applied,) = _events(wb, "edit.applied")
    (entry,) = applied["files"]  # type: ignore[misc]
    assert entry["old_blob"] == git("rev-parse", "main:notes.md", cwd=bench_path)
    assert entry["new_blob"] == git("rev-parse", "draft:notes.md", cwd=bench_path)
    assert set(applied["timings_ms"]) >= {"parse", "resolve", "apply", "inspect", "write", "ref"}  # type: ignore[arg-type]


def test_t02_a_file_changed_after_it_was_shown_is_a_blob_mismatch(
    wb: Workbench, bench_path: Path
) -> None:
    context = record_context(wb, ["notes.md"])
    shown = context.shown["notes.md"].blob
    commit_on_branch(bench_path, "draft", {"notes.md": "alpha\nbeta\nhuman\n"}, "a person's edit")
    before = all_refs(bench_path)
    with pytest.raises(GitbenchError) as caught:
        run_proposal(
            wb,
            lambda _r: _doc(_replace("notes.md", "alpha", "ALPHA")),
            model="test",
            context=context,
            max_attempts=1,
        )
    err = caught.value
    assert err.code is ErrorCode.EDIT_REJECTED
    assert (err.phase, err.subphase) == ("precondition", "blob_mismatch")
    assert err.detail["expected_blob"] == shown
    assert err.detail["actual_blob"] == git("rev-parse", "draft:notes.md", cwd=bench_path)
    after = all_refs(bench_path)
    after.pop("refs/notes/gitbench/failures")
    assert after == before
    (rejected,) = _events(wb, "edit.rejected")
    assert rejected["stage"] == "precondition" and rejected["retryable"] is True


def test_a_draft_moved_on_another_file_is_applied_on_its_new_head(
    wb: Workbench, bench_path: Path
) -> None:
    context = record_context(wb, ["notes.md"])
    moved = commit_on_branch(bench_path, "draft", {"docs/guide.md": "# Moved\n"}, "elsewhere")
    run_proposal(wb, lambda _r: _doc(_replace("notes.md", "beta", "B")), model="m", context=context)
    assert git("rev-parse", "draft^", cwd=bench_path) == moved
    assert git("show", "draft:docs/guide.md", cwd=bench_path) == "# Moved"


def test_t18_the_same_unmatched_search_twice_exhausts_the_retry(
    wb: Workbench, bench_path: Path
) -> None:
    calls: list[RetryRequest | None] = []

    def propose(retry: RetryRequest | None) -> str:
        calls.append(retry)
        return _doc(_replace("notes.md", "gamma", "GAMMA"))

    before = all_refs(bench_path)
    with pytest.raises(GitbenchError) as caught:
        run_proposal(wb, propose, model="m", context=record_context(wb, ["notes.md"]))
    err = caught.value
    assert err.subphase == "retry_exhausted"
    assert err.detail["last_reason"] == "no_match" and err.detail["attempts"] == 2
    assert int(err.code.exit_status) == 8
    assert len(calls) == 2 and calls[0] is None
    retry = calls[1]
    assert retry is not None and retry.rejection.reason == "no_match"
    assert retry.content == {"notes.md": "alpha\nbeta\n"}  # the fresh content, for the re-ask
    assert git("rev-parse", "--verify", "-q", "draft", cwd=bench_path, check=False) == ""
    assert {k: v for k, v in all_refs(bench_path).items() if "notes" not in k} == before
    (exhausted,) = [e for e in _events(wb, "edit.rejected") if e["reason"] == "retry_exhausted"]
    assert exhausted["last_reason"] == "no_match" and exhausted["attempts"] == 2
    assert [e["status"] for e in _events(wb, "edit.retry")] == ["failed"]


def test_a_retry_that_succeeds_commits_the_second_answer_only(
    wb: Workbench, bench_path: Path
) -> None:
    answers = iter(
        [_doc(_replace("notes.md", "gamma", "X")), _doc(_replace("notes.md", "beta", "Y"))]
    )
    result = run_proposal(
        wb, lambda _r: next(answers), model="m", context=record_context(wb, ["notes.md"])
    )
    assert result.attempts == 2
    assert git("show", "draft:notes.md", cwd=bench_path) == "alpha\nY"
    assert "Gitbench-Attempt: 2" in git("log", "-1", "--format=%B", "draft", cwd=bench_path)
    assert [e["status"] for e in _events(wb, "edit.retry")] == ["success"]


def test_t24_one_bad_file_rejects_the_whole_proposal(wb: Workbench, bench_path: Path) -> None:
    before = all_refs(bench_path)
    objects_before = set(
        git(
            "cat-file", "--batch-all-objects", "--batch-check=%(objectname)", cwd=bench_path
        ).split()
    )
    doc = _doc(_replace("docs/guide.md", "Guide", "GUIDE"), _replace("notes.md", "nope", "x"))
    with pytest.raises(GitbenchError) as caught:
        apply_document(wb, doc)
    assert caught.value.subphase == "no_match"
    after = all_refs(bench_path)
    notes = after.pop("refs/notes/gitbench/failures")
    assert after == before
    new_objects = (
        set(
            git(
                "cat-file", "--batch-all-objects", "--batch-check=%(objectname)", cwd=bench_path
            ).split()
        )
        - objects_before
    )
    edited = git("hash-object", "--stdin", cwd=bench_path, input=b"# GUIDE\n")
    assert edited not in new_objects  # nothing of the proposal was written
    record = json.loads(
        git("notes", "--ref=gitbench/failures", "show", before["refs/heads/main"], cwd=bench_path)
    )["records"][0]
    assert record["code"] == "EDIT_REJECTED" and record["subphase"] == "no_match"
    assert record["detail"]["path"] == "notes.md" and record["phase"] == "resolve"
    assert "alpha" not in json.dumps(record)  # no file contents without the excerpt setting
    assert notes


def test_unsafe_and_colliding_paths_are_refused_before_any_write(
    wb: Workbench, bench_path: Path
) -> None:
    for path, reason in (
        ("../x.md", "invalid_path"),
        ("CON", "invalid_path"),
        ("NOTES.md", "invalid_path"),
    ):
        doc = _doc({"path": path, "action": "create", "ops": [{"op": "write", "content": "x\n"}]})
        with pytest.raises(GitbenchError) as caught:
            apply_document(wb, doc)
        assert caught.value.subphase == reason, path
    assert git("rev-parse", "--verify", "-q", "draft", cwd=bench_path, check=False) == ""


def test_a_binary_file_is_never_in_context(wb: Workbench) -> None:
    doc = _doc({"path": "data.bin", "ops": [{"op": "write", "content": "text now\n"}]})
    with pytest.raises(GitbenchError) as caught:
        apply_document(wb, doc)
    assert caught.value.subphase == "not_in_context"
    assert caught.value.retryable is False


def test_a_proposal_that_changes_nothing_is_a_noop_without_commit(
    wb: Workbench, bench_path: Path
) -> None:
    doc = _doc({"path": "notes.md", "ops": [{"op": "write", "content": "alpha\nbeta\n"}]})
    assert apply_document(wb, doc).status == "noop"
    assert git("rev-parse", "--verify", "-q", "draft", cwd=bench_path, check=False) == ""
    assert len(_events(wb, "edit.noop")) == 1


def test_thresholds_come_from_the_workbench_config(wb: Workbench, bench_path: Path) -> None:
    git("config", "gitbench.edits.token-drift", "0.9", cwd=bench_path)
    long_text = " ".join(f"w{i}" for i in range(100)) + "\n"
    commit_on_branch(bench_path, "draft", {"long.md": long_text}, "long file")
    shorter = " ".join(f"w{i}" for i in range(80)) + "\n"  # drift 0.2: refused by default
    doc = _doc({"path": "long.md", "ops": [{"op": "write", "content": shorter}]})
    assert apply_document(wb, doc).status == "applied"
