"""gitbench delete: remove the whole workbench directory, only when confirmed and no draft."""

from __future__ import annotations

from pathlib import Path

from gitbench.errors import ErrorCode
from tests.cli.common import actions, ok, refused, refused_human, refused_outside
from tests.support.benches import make_bench


def test_delete_yes_removes_the_workbench_directory(bench_path: Path) -> None:
    result = ok(bench_path, "delete", "--yes")
    assert result["root"] == str(bench_path.resolve())
    assert not bench_path.exists()
    assert bench_path.parent.exists()


def test_delete_from_a_subdirectory_removes_the_whole_workbench(bench_path: Path) -> None:
    ok(bench_path / "docs", "delete", "--yes")
    assert not bench_path.exists()


def test_delete_without_yes_is_canceled_when_not_interactive(bench_path: Path) -> None:
    refused(bench_path, "delete", code=ErrorCode.USER_CANCELED, phase="confirm")
    assert (bench_path / ".git").is_dir()


def test_delete_without_yes_in_human_mode_is_canceled(bench_path: Path) -> None:
    refused_human(bench_path, "delete", input="y\n", code=ErrorCode.USER_CANCELED, phase="confirm")
    assert (bench_path / "notes.md").exists()


def test_delete_refuses_while_a_draft_exists(tmp_path: Path) -> None:
    root = make_bench(tmp_path / "bench", {"a.md": "a\n"}, draft={"a.md": "b\n"})
    error = refused(root, "delete", "--yes", code=ErrorCode.DRAFT_EXISTS, phase="gate")
    assert actions(error) == ["review_draft", "publish_draft", "discard_draft"]
    assert (root / ".git").is_dir()


def test_delete_refuses_a_directory_that_is_not_a_workbench(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "precious.txt").write_text("keep me\n")
    refused_outside(plain, "delete", "--yes", code=ErrorCode.NOT_A_WORKBENCH, phase="open")
    assert (plain / "precious.txt").read_text() == "keep me\n"
