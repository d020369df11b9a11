"""--json everywhere: exactly one JSON document on stdout, `ok` first-class, stable exit statuses."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from gitbench.errors import ACTION_COMMANDS, Action, ErrorCode, ExitStatus
from tests.support.benches import commit_on_branch, make_bench
from tests.support.cli import Run, run
from tests.support.gitcli import git

FILES = {"notes.md": "alpha\nbeta\n", "docs/guide.md": "# Guide\n", "data.bin": b"\x00\x01"}
DRAFT = {"notes.md": "alpha\nBETA\n", "new.md": "new\n"}

Case = Callable[[Path], tuple[Path, list[str], str | None]]


def _bench(tmp: Path, draft: bool = False) -> Path:
    return make_bench(tmp / "bench", FILES, draft=DRAFT if draft else None)


def _source(tmp: Path) -> Path:
    source = tmp / "outside" / "report.md"
    source.parent.mkdir(parents=True, exist_ok=True)
    source.write_text("report\n")
    return source


def _checkpointed(tmp: Path) -> Path:
    root = _bench(tmp)
    git(
        "tag",
        "-a",
        "-m",
        '{"reason": "manual", "created_at": "2026-01-01T00:00:00Z"}',
        "checkpoint/c1",
        cwd=root,
    )
    commit_on_branch(root, "main", {"more.md": "more\n"}, "more")
    git("checkout", "-q", "-f", "main", cwd=root)
    return root


def _discarded(tmp: Path) -> Path:
    root = _bench(tmp, draft=True)
    git("update-ref", "refs/gitbench/discarded/20260101T000000Z", "draft", cwd=root)
    git("update-ref", "-d", "refs/heads/draft", cwd=root)
    return root


SUCCESS: dict[str, Case] = {
    "init": lambda t: (t, ["init", "fresh"], None),
    "add": lambda t: (_bench(t), ["add", str(_source(t))], None),
    "rm": lambda t: (_bench(t), ["rm", "notes.md"], None),
    "ls": lambda t: (_bench(t), ["ls"], None),
    "ls --draft": lambda t: (_bench(t, draft=True), ["ls", "--draft"], None),
    "show text": lambda t: (_bench(t), ["show", "notes.md"], None),
    "show binary": lambda t: (_bench(t), ["show", "data.bin"], None),
    "extract": lambda t: (_bench(t), ["extract", "--to", str(t / "out")], None),
    "delete": lambda t: (_bench(t), ["delete", "--yes"], None),
    "put": lambda t: (_bench(t), ["put", "x.md"], "x\n"),
    "put --delete": lambda t: (_bench(t), ["put", "--delete", "notes.md"], None),
    "status": lambda t: (_bench(t, draft=True), ["status"], None),
    "review": lambda t: (_bench(t, draft=True), ["review", "--patch"], None),
    "diff": lambda t: (_bench(t, draft=True), ["diff"], None),
    "publish": lambda t: (_bench(t, draft=True), ["publish", "-m", "ship"], None),
    "discard": lambda t: (_bench(t, draft=True), ["discard", "--yes"], None),
    "discard --undo": lambda t: (_discarded(t), ["discard", "--undo"], None),
    "checkpoint create": lambda t: (_bench(t), ["checkpoint", "create", "-m", "m"], None),
    "checkpoint list": lambda t: (_checkpointed(t), ["checkpoint", "list"], None),
    "checkpoint show": lambda t: (_checkpointed(t), ["checkpoint", "show", "c1"], None),
    "checkpoint restore": lambda t: (_checkpointed(t), ["checkpoint", "restore", "c1"], None),
    "config get": lambda t: (_bench(t), ["config", "get", "limits.max_files"], None),
    "config set": lambda t: (_bench(t), ["config", "set", "limits.max_files", "9"], None),
    "config unset": lambda t: (_bench(t), ["config", "unset", "limits.max_files"], None),
    "config list": lambda t: (_bench(t), ["config", "list"], None),
    "failures": lambda t: (_bench(t), ["failures"], None),
    "hooks status": lambda t: (_bench(t), ["hooks", "status"], None),
    "hooks install": lambda t: (_bench(t), ["hooks", "install"], None),
}

FAILURE: dict[str, tuple[Case, ErrorCode]] = {
    "init in a repo": (lambda t: (_bench(t), ["init"], None), ErrorCode.VALIDATION_FAILED),
    "add symlink": (
        lambda t: (_symlinked(t), ["add", "link.md"], None),
        ErrorCode.SANDBOX_VIOLATION,
    ),
    "add with draft": (
        lambda t: (_bench(t, draft=True), ["add", str(_source(t))], None),
        ErrorCode.DRAFT_EXISTS,
    ),
    "rm missing": (lambda t: (_bench(t), ["rm", "nope"], None), ErrorCode.NOT_FOUND),
    "rm dirty": (lambda t: (_dirty(t), ["rm", "notes.md"], None), ErrorCode.WORKTREE_DIRTY),
    "ls --draft": (lambda t: (_bench(t), ["ls", "--draft"], None), ErrorCode.NO_DRAFT),
    "show missing": (lambda t: (_bench(t), ["show", "nope"], None), ErrorCode.NOT_FOUND),
    "extract inside": (
        lambda t: (_bench(t), ["extract", "--to", "inside"], None),
        ErrorCode.VALIDATION_FAILED,
    ),
    "delete unconfirmed": (lambda t: (_bench(t), ["delete"], None), ErrorCode.USER_CANCELED),
    "put unsafe": (lambda t: (_bench(t), ["put", "../x"], "x"), ErrorCode.SANDBOX_VIOLATION),
    "put unreadable": (
        lambda t: (_bench(t), ["put", "x", "--from", str(t / "nope")], None),
        ErrorCode.FILE_READ_FAILED,
    ),
    "status outside": (lambda t: (t, ["status"], None), ErrorCode.NOT_A_WORKBENCH),
    "review": (lambda t: (_bench(t), ["review"], None), ErrorCode.NO_DRAFT),
    "diff": (lambda t: (_bench(t), ["diff"], None), ErrorCode.NO_DRAFT),
    "publish moved": (
        lambda t: (_moved(t), ["publish"], None),
        ErrorCode.CONFLICT_PUBLISHED_CHANGED,
    ),
    "discard": (lambda t: (_bench(t), ["discard", "--yes"], None), ErrorCode.NO_DRAFT),
    "discard --undo": (lambda t: (_bench(t), ["discard", "--undo"], None), ErrorCode.NOT_FOUND),
    "checkpoint show": (
        lambda t: (_bench(t), ["checkpoint", "show", "nope"], None),
        ErrorCode.NOT_FOUND,
    ),
    "checkpoint restore": (
        lambda t: (_bench(t, draft=True), ["checkpoint", "restore", "x"], None),
        ErrorCode.DRAFT_EXISTS,
    ),
    "config set": (
        lambda t: (_bench(t), ["config", "set", "limits.max_files", "abc"], None),
        ErrorCode.VALIDATION_FAILED,
    ),
    "failures outside": (lambda t: (t, ["failures"], None), ErrorCode.NOT_A_WORKBENCH),
    "hooks outside": (lambda t: (t, ["hooks", "status"], None), ErrorCode.NOT_A_WORKBENCH),
}


def _symlinked(tmp: Path) -> Path:
    root = _bench(tmp)
    (root / "link.md").symlink_to(root / "notes.md")
    return root


def _dirty(tmp: Path) -> Path:
    root = _bench(tmp)
    (root / "notes.md").write_text("local edit\n")
    return root


def _moved(tmp: Path) -> Path:
    root = _bench(tmp, draft=True)
    commit_on_branch(root, "main", {"moved.md": "m\n"}, "moved")
    return root


def one_document(result: Run) -> dict[str, object]:
    """stdout holds exactly one JSON object (json.loads refuses trailing data) and nothing else."""
    assert result.stdout.strip().startswith("{")
    document = json.loads(result.stdout)
    assert isinstance(document, dict)
    return document


@pytest.mark.parametrize("name", sorted(SUCCESS))
def test_json_success_is_one_document_with_ok(tmp_path: Path, name: str) -> None:
    cwd, args, stdin = SUCCESS[name](tmp_path)
    result = run(cwd, "--json", *args, input=stdin)
    assert result.exit_code == 0, result.stdout + result.stderr
    document = one_document(result)
    assert document["ok"] is True
    assert set(document) == {"ok", "command", "result"}
    assert isinstance(document["result"], dict)
    assert document["command"] == " ".join(a for a in args[: 2 if args[0] in GROUPS else 1])


GROUPS = {"checkpoint", "config", "hooks"}


@pytest.mark.parametrize("name", sorted(SUCCESS))
def test_json_after_the_command_name_works_too(tmp_path: Path, name: str) -> None:
    cwd, args, stdin = SUCCESS[name](tmp_path)
    result = run(cwd, *args, "--json", input=stdin)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert one_document(result)["ok"] is True


@pytest.mark.parametrize("name", sorted(FAILURE))
def test_json_error_is_one_document_with_code_phase_and_actions(tmp_path: Path, name: str) -> None:
    case, code = FAILURE[name]
    cwd, args, stdin = case(tmp_path)
    result = run(cwd, "--json", *args, input=stdin)
    document = one_document(result)
    assert set(document) == {"ok", "error"}
    assert document["ok"] is False
    error = document["error"]
    assert isinstance(error, dict)
    assert error["code"] == code.value
    assert isinstance(error["phase"], str) and error["phase"]
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error["actions"], list)
    for action in error["actions"]:
        assert action["command"] == ACTION_COMMANDS[Action(action["action"])]
    assert result.exit_code == int(code.exit_status) == error["exit_status"]
    assert isinstance(error["retryable"], bool)
    assert isinstance(error["detail"], dict)


@pytest.mark.parametrize("name", sorted(FAILURE))
def test_human_errors_go_to_stderr_only(tmp_path: Path, name: str) -> None:
    case, code = FAILURE[name]
    cwd, args, stdin = case(tmp_path)
    result = run(cwd, *args, input=stdin)
    assert result.exit_code == int(code.exit_status)
    assert result.stdout == ""
    assert code.value in result.stderr
    assert "phase:" in result.stderr


def test_exit_statuses_follow_the_error_families() -> None:
    families = {
        ExitStatus.INVALID_INPUT: {
            "SANDBOX_VIOLATION",
            "VALIDATION_FAILED",
            "CONTEXT_EXHAUSTED",
            "NOT_A_WORKBENCH",
            "NOT_FOUND",
        },
        ExitStatus.REFUSED: {
            "BUDGET_CAP_REACHED",
            "CONFLICT_PUBLISHED_CHANGED",
            "USER_CANCELED",
            "DRAFT_EXISTS",
            "NO_DRAFT",
            "WORKTREE_DIRTY",
            "CONCURRENT_UPDATE",
        },
        ExitStatus.STORAGE: {
            "DISK_FULL",
            "FILE_READ_FAILED",
            "FILE_WRITE_FAILED",
            "CHECKPOINT_CREATE_FAILED",
            "CHECKPOINT_RESTORE_FAILED",
        },
    }
    for status, codes in families.items():
        for code in codes:
            assert ErrorCode(code).exit_status is status


def test_draft_gate_errors_offer_the_draft_actions(tmp_path: Path) -> None:
    cwd, args, _ = FAILURE["add with draft"][0](tmp_path)
    error = one_document(run(cwd, "--json", *args))["error"]
    assert [a["action"] for a in error["actions"]] == [  # type: ignore[index]
        "review_draft",
        "publish_draft",
        "discard_draft",
    ]


def test_json_suppresses_notices_and_progress(tmp_path: Path) -> None:
    root = _bench(tmp_path, draft=True)
    result = run(root, "--json", "publish")
    assert result.exit_code == 0
    assert result.stderr == ""


@pytest.mark.parametrize(
    "args",
    [
        ("--json", "frobnicate"),
        ("status", "--json", "--bogus"),
        ("--json", "put"),  # a missing argument
        ("--json", "checkpoint", "restore"),
    ],
)
def test_a_malformed_command_line_under_json_is_a_json_document(
    bench_path: Path, args: tuple[str, ...]
) -> None:
    result = run(bench_path, *args)
    assert result.exit_code == 2
    error = result.json()["error"]  # stdout holds the document and nothing else
    assert error["code"] == "USAGE_INVALID" and error["phase"] == "usage"
    assert "--help" in error["message"]


def test_without_json_a_malformed_command_line_gets_the_usage_text(bench_path: Path) -> None:
    result = run(bench_path, "status", "--bogus")
    assert result.exit_code == 2
    assert (
        result.stdout == "" and "Usage: " in result.stderr and "status [OPTIONS]" in result.stderr
    )
    after_separator = run(bench_path, "put", "--", "--json")  # a file named --json
    assert not after_separator.stdout.startswith("{")  # after --, it names a file
