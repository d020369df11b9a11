from __future__ import annotations

import json
from pathlib import Path

import pytest

from gitbench.config import load_environment
from gitbench.errors import ErrorCode, GitbenchError
from gitbench.services.drafts import put_file
from gitbench.services.failures import list_failures
from gitbench.services.session import open_bench
from gitbench.store.repo import Workbench
from tests.support.gitcli import all_refs, git


def test_a_failure_after_touching_the_workbench_is_recorded_as_a_note(
    wb: Workbench, bench_path: Path
) -> None:
    (wb.git_dir / "refs" / "heads" / "draft.lock").write_text("")  # another writer holds it
    with pytest.raises(GitbenchError) as caught:
        put_file(wb, "notes.md", b"new\n")
    assert caught.value.code is ErrorCode.CONCURRENT_UPDATE
    main = git("rev-parse", "main", cwd=bench_path)
    note = json.loads(git("notes", "--ref=gitbench/failures", "show", main, cwd=bench_path))
    (record,) = note["records"]
    assert record["code"] == "CONCURRENT_UPDATE"
    assert record["command"] == "put"
    assert record["phase"] == "update_refs"
    assert "new\n" not in json.dumps(record)  # never file contents
    (listed,) = list_failures(wb).failures
    assert listed.code == "CONCURRENT_UPDATE"
    assert listed.commit == main


def test_a_refusal_records_nothing(wb: Workbench, bench_path: Path) -> None:
    before = all_refs(bench_path)
    with pytest.raises(GitbenchError) as caught:
        put_file(wb, "../escape", b"x")
    assert caught.value.code is ErrorCode.SANDBOX_VIOLATION
    assert all_refs(bench_path) == before


def test_opening_a_plain_repository_is_not_a_workbench(tmp_path: Path) -> None:
    git("init", "-q", "-b", "main", cwd=tmp_path)
    with pytest.raises(GitbenchError) as caught:
        open_bench(tmp_path)
    assert caught.value.code is ErrorCode.NOT_A_WORKBENCH
    assert caught.value.phase == "open"


def test_opening_outside_any_repository_is_not_a_workbench(tmp_path: Path) -> None:
    with pytest.raises(GitbenchError) as caught:
        open_bench(tmp_path)
    assert caught.value.code is ErrorCode.NOT_A_WORKBENCH


def test_opening_from_a_subdirectory_finds_the_workbench(bench_path: Path) -> None:
    assert open_bench(bench_path / "docs").root == bench_path.resolve()


def test_identity_falls_back_from_config_to_environment_to_default(bench_path: Path) -> None:
    # libgit2 reads no global config in tests (conftest), and does not read GIT_AUTHOR_* itself.
    assert open_bench(bench_path).identity.email == "gitbench@localhost"
    env = load_environment({"GIT_AUTHOR_NAME": "Ada", "GIT_AUTHOR_EMAIL": "ada@example.com"})
    assert open_bench(bench_path, env=env).identity.name == "Ada"
    git("config", "user.name", "Grace", cwd=bench_path)
    git("config", "user.email", "grace@example.com", cwd=bench_path)
    assert open_bench(bench_path, env=env).identity.email == "grace@example.com"


def test_commits_carry_the_identity_and_the_clock(wb: Workbench, bench_path: Path) -> None:
    put_file(wb, "notes.md", b"new\n")
    author = git("log", "-1", "--format=%an <%ae> %at", "draft", cwd=bench_path)
    assert author == f"gitbench <gitbench@localhost> {int(wb.clock.now().timestamp())}"
