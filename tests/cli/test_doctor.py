from __future__ import annotations

import json
from pathlib import Path

from tests.support.benches import commit_on_branch, install_hooks
from tests.support.cli import run
from tests.support.gitcli import git


def _doctor(root: Path) -> tuple[int, dict[str, object]]:
    result = run(root, "--json", "doctor")
    return result.exit_code, result.json()["result"]


def _failed(report: dict[str, object]) -> list[str]:
    return [c["name"] for c in report["checks"] if not c["ok"]]  # type: ignore[attr-defined]


def test_a_healthy_workbench_passes_every_check(bench_path: Path) -> None:
    install_hooks(bench_path)
    code, report = _doctor(bench_path)
    assert code == 0
    assert report["healthy"] is True and _failed(report) == []


def test_main_moved_backwards_with_plain_git_is_named(bench_path: Path) -> None:
    first = git("rev-parse", "main", cwd=bench_path)
    second = commit_on_branch(bench_path, "main", {"x.md": "x\n"}, "second")
    git("reset", "-q", "--hard", second, cwd=bench_path)
    git("reset", "-q", "--hard", first, cwd=bench_path)  # what the hooks would have refused
    install_hooks(bench_path)
    code, report = _doctor(bench_path)
    assert code == 4
    assert _failed(report) == ["published only moves forward"]


def test_a_moved_checkpoint_and_missing_hooks_are_named(bench_path: Path) -> None:
    assert run(bench_path, "checkpoint", "create").exit_code == 0
    (tag,) = git("tag", "-l", "checkpoint/*", cwd=bench_path).splitlines()
    git("tag", "-f", "-a", "-m", "forged", tag, "main", cwd=bench_path)  # no hooks installed here
    git("tag", "-a", "-m", "x", "elsewhere", "main", cwd=bench_path)
    forged = git("rev-parse", "elsewhere", cwd=bench_path)
    git("update-ref", f"refs/tags/{tag}", forged, cwd=bench_path)
    code, report = _doctor(bench_path)
    assert code == 4
    assert set(_failed(report)) == {"checkpoints never move", "plain git obeys the rules (hooks)"}


def test_an_interrupted_operation_is_completed_and_reported(bench_path: Path) -> None:
    main = git("rev-parse", "main", cwd=bench_path)
    draft = commit_on_branch(bench_path, "draft", {"notes.md": "new\n"}, "d")
    # What a publish killed half-way through its ref transaction leaves: main moved, the
    # draft still there, the intent record in place.
    intent = {
        "operation": "gitbench: publish",
        "updates": [
            {"name": "refs/heads/main", "old": main, "new": draft},
            {"name": "refs/heads/draft", "old": draft, "new": None},
        ],
        "head_before": "refs/heads/main",
        "head_after": None,
        "tree_before": git("rev-parse", f"{main}^{{tree}}", cwd=bench_path),
        "tree_after": git("rev-parse", f"{draft}^{{tree}}", cwd=bench_path),
        "pid": 999999,
    }
    state = bench_path / ".git" / "gitbench"
    state.mkdir(parents=True, exist_ok=True)
    (state / "intent.json").write_text(json.dumps(intent))
    git("update-ref", "refs/heads/main", draft, cwd=bench_path)
    install_hooks(bench_path)
    code, report = _doctor(bench_path)
    assert code == 0
    assert report["repaired"][0] == "completed an interrupted 'gitbench: publish'"  # type: ignore[index]
    assert git("rev-parse", "--verify", "-q", "draft", cwd=bench_path, check=False) == ""
    assert (bench_path / "notes.md").read_text() == "new\n"
    assert git("status", "--porcelain", cwd=bench_path) == ""
    assert any("completed" in line for line in report["recent_recoveries"])  # type: ignore[attr-defined]


def test_a_lock_file_left_behind_is_named(bench_path: Path) -> None:
    install_hooks(bench_path)
    (bench_path / ".git" / "refs" / "heads" / "main.lock").write_text("")
    code, report = _doctor(bench_path)
    assert code == 4
    assert _failed(report) == ["no stale lock files"]
