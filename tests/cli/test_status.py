"""gitbench status: published tip, the draft and its age, checkpoints, local changes."""

from __future__ import annotations

from pathlib import Path

from gitbench.clock import FixedClock
from gitbench.errors import ErrorCode
from tests.cli.common import ok, refused, refused_outside
from tests.support.benches import commit_on_branch, make_bench
from tests.support.cli import run
from tests.support.gitcli import git, rev

HOUR = 3600
DAY = 24 * HOUR


def test_status_without_a_draft(bench_path: Path) -> None:
    result = ok(bench_path, "status")
    assert result["root"] == str(bench_path.resolve())
    assert result["main"] == rev(bench_path, "main")
    assert result["main_subject"] == "Create workbench"
    assert result["draft"] is None
    assert result["head"] == "refs/heads/main"
    assert result["local_changes"] == []
    assert result["checkpoints"] == 0
    assert result["failures"] == 0


def test_status_counts_the_drafts_commits_and_files(bench_path: Path, clock: FixedClock) -> None:
    commit_on_branch(bench_path, "draft", {"notes.md": "changed\n", "new.md": "n\n"}, "one")
    commit_on_branch(bench_path, "draft", {"data.bin": None}, "two")
    draft = ok(bench_path, "status", clock=clock)["draft"]
    assert draft["tip"] == rev(bench_path, "draft")
    assert draft["base"] == rev(bench_path, "main")
    assert draft["commits"] == 2
    assert draft["files_changed"] == 3
    assert draft["based_on_main"] is True
    assert draft["created_at"] == "2026-01-02T03:04:05Z"
    assert draft["age_seconds"] == 0
    assert draft["reminder"] == "none"


def test_status_does_not_remind_of_a_draft_younger_than_a_day(
    bench_path: Path, clock: FixedClock
) -> None:
    commit_on_branch(bench_path, "draft", {"new.md": "n\n"}, "one")
    clock.advance(24 * HOUR - 1)
    assert ok(bench_path, "status", clock=clock)["draft"]["reminder"] == "none"


def test_status_reminds_of_a_draft_older_than_a_day(bench_path: Path, clock: FixedClock) -> None:
    commit_on_branch(bench_path, "draft", {"new.md": "n\n"}, "one")
    clock.advance(25 * HOUR)
    draft = ok(bench_path, "status", clock=clock)["draft"]
    assert draft["reminder"] == "remind"
    assert draft["age_seconds"] == 25 * HOUR
    human = run(bench_path, "status", clock=clock)
    assert "reminder" in human.stdout


def test_status_warns_about_a_draft_older_than_a_week(bench_path: Path, clock: FixedClock) -> None:
    commit_on_branch(bench_path, "draft", {"new.md": "n\n"}, "one")
    clock.advance(7 * DAY + 1)
    assert ok(bench_path, "status", clock=clock)["draft"]["reminder"] == "warn"
    human = run(bench_path, "status", clock=clock)
    assert "publish or discard" in human.stdout


def test_status_measures_age_from_the_drafts_first_commit(
    bench_path: Path, clock: FixedClock
) -> None:
    ok(bench_path, "put", "a.md", input="a\n", clock=clock)
    clock.advance(30 * HOUR)
    ok(bench_path, "put", "b.md", input="b\n", clock=clock)
    draft = ok(bench_path, "status", clock=clock)["draft"]
    assert draft["commits"] == 2
    assert draft["age_seconds"] == 30 * HOUR
    assert draft["reminder"] == "remind"


def test_status_reminder_thresholds_follow_the_settings(
    bench_path: Path, clock: FixedClock
) -> None:
    ok(bench_path, "config", "set", "draft.remind_hours", "2")
    ok(bench_path, "config", "set", "draft.warn_days", "1")
    commit_on_branch(bench_path, "draft", {"new.md": "n\n"}, "one")
    clock.advance(3 * HOUR)
    assert ok(bench_path, "status", clock=clock)["draft"]["reminder"] == "remind"
    clock.advance(DAY)
    assert ok(bench_path, "status", clock=clock)["draft"]["reminder"] == "warn"


def test_status_says_when_main_moved_under_the_draft(bench_path: Path, clock: FixedClock) -> None:
    commit_on_branch(bench_path, "draft", {"new.md": "n\n"}, "draft")
    commit_on_branch(bench_path, "main", {"other.md": "o\n"}, "moved")
    draft = ok(bench_path, "status", clock=clock)["draft"]
    assert draft["based_on_main"] is False
    assert "cannot be published" in run(bench_path, "status", clock=clock).stdout


def test_status_lists_local_changes(bench_path: Path) -> None:
    (bench_path / "notes.md").write_text("edited\n")
    (bench_path / "data.bin").unlink()
    (bench_path / "stray.txt").write_text("untracked\n")
    result = ok(bench_path, "status")
    assert result["local_changes"] == ["data.bin", "notes.md", "stray.txt"]
    human = run(bench_path, "status")
    assert "Local changes (3)" in human.stdout


def test_status_counts_checkpoints_and_failures(bench_path: Path) -> None:
    git("tag", "-a", "-m", "{}", "checkpoint/by-hand", "main", cwd=bench_path)
    note = '{"schema":1,"records":[{"code":"DISK_FULL","message":"m","phase":"p"}]}'
    git("notes", "--ref=gitbench/failures", "add", "-m", note, "main", cwd=bench_path)
    result = ok(bench_path, "status")
    assert result["checkpoints"] == 1
    assert result["failures"] == 1


def test_status_reports_a_detached_head(bench_path: Path) -> None:
    git("checkout", "-q", "--detach", "main", cwd=bench_path)
    assert ok(bench_path, "status")["head"] is None
    assert "detached" in run(bench_path, "status").stdout


def test_status_human_output_names_the_draft_commands(tmp_path: Path) -> None:
    root = make_bench(tmp_path / "bench", {"a.md": "a\n"}, draft={"a.md": "b\n"})
    result = run(root, "status")
    assert result.exit_code == 0
    assert "gitbench review" in result.stdout
    assert "gitbench discard --yes" in result.stdout


def test_status_outside_a_workbench_is_refused(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    refused_outside(plain, "status", code=ErrorCode.NOT_A_WORKBENCH, phase="open")


def test_status_in_a_plain_git_repository_is_refused(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    git("init", "-q", "-b", "main", cwd=repo)
    git("commit", "-q", "--allow-empty", "-m", "x", cwd=repo)
    refused(repo, "status", code=ErrorCode.NOT_A_WORKBENCH, phase="open")


def test_status_with_the_draft_checked_out(tmp_path: Path) -> None:
    root = make_bench(tmp_path / "bench", {"a.md": "a\n"}, draft={"a.md": "b\n"})
    git("switch", "-q", "draft", cwd=root)
    result = ok(root, "status")
    assert result["head"] == "refs/heads/draft"
    assert result["local_changes"] == []
    assert result["draft"]["tip"] == rev(root, "draft")


def test_status_shows_allow_all_consent_mode(bench_path: Path) -> None:
    assert ok(bench_path, "status")["consent_mode"] == "ask"
    assert run(bench_path, "consent", "mode", "allow-all", "--i-understand").exit_code == 0
    assert ok(bench_path, "status")["consent_mode"] == "allow-all"
    assert "allow-all" in run(bench_path, "status").stdout


def test_status_shows_the_clutter_bar(bench_path: Path) -> None:
    clutter = ok(bench_path, "status")["clutter"]
    assert clutter["level"] == "light" and clutter["files"] == 3
    assert "Clutter" in run(bench_path, "status").stdout
