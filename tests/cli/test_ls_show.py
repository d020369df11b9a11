"""gitbench ls and show: the published files (or the draft's), byte for byte."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest

from gitbench.errors import ErrorCode
from tests.cli.common import ok, refused
from tests.support.benches import make_bench
from tests.support.cli import run
from tests.support.gitcli import git, rev

BINARY = bytes(range(256)) * 3


def test_ls_lists_every_published_file(bench_path: Path) -> None:
    result = ok(bench_path, "ls")
    assert result["ref"] == "main"
    assert result["commit"] == rev(bench_path, "main")
    files = {f["path"]: f for f in result["files"]}
    assert sorted(files) == ["data.bin", "docs/guide.md", "notes.md"]
    assert files["notes.md"] == {
        "path": "notes.md",
        "kind": "text",
        "size": 11,
        "blob": rev(bench_path, "main:notes.md"),
    }
    assert files["data.bin"]["kind"] == "opaque"
    assert files["data.bin"]["size"] == 3


def test_ls_draft_lists_the_drafts_files(tmp_path: Path) -> None:
    root = make_bench(
        tmp_path / "bench", {"a.md": "a\n", "b.md": "b\n"}, draft={"b.md": None, "c.md": "c\n"}
    )
    result = ok(root, "ls", "--draft")
    assert result["ref"] == "draft"
    assert result["commit"] == rev(root, "draft")
    assert [f["path"] for f in result["files"]] == ["a.md", "c.md"]
    assert [f["path"] for f in ok(root, "ls")["files"]] == ["a.md", "b.md"]


def test_ls_draft_without_a_draft_is_refused(bench_path: Path) -> None:
    refused(bench_path, "ls", "--draft", code=ErrorCode.NO_DRAFT, phase="validating")


def test_ls_of_an_empty_workbench(tmp_path: Path) -> None:
    root = make_bench(tmp_path / "bench")
    assert ok(root, "ls")["files"] == []


def test_ls_human_output_names_each_file(bench_path: Path) -> None:
    result = run(bench_path, "ls")
    assert result.exit_code == 0
    for name in ("notes.md", "docs/guide.md", "data.bin"):
        assert name in result.stdout
    assert "3 file(s)" in result.stdout


def test_show_writes_the_exact_bytes_of_a_text_file(bench_path: Path) -> None:
    result = run(bench_path, "show", "notes.md")
    assert result.exit_code == 0
    assert result.stdout_bytes == b"alpha\nbeta\n"


def test_show_writes_the_exact_bytes_of_a_binary_file(tmp_path: Path) -> None:
    root = make_bench(tmp_path / "bench", {"blob.bin": BINARY, "crlf.txt": b"a\r\nb\r\n"})
    assert run(root, "show", "blob.bin").stdout_bytes == BINARY
    assert run(root, "show", "crlf.txt").stdout_bytes == b"a\r\nb\r\n"


def test_show_of_an_empty_file_writes_nothing(tmp_path: Path) -> None:
    root = make_bench(tmp_path / "bench", {"empty.md": b""})
    result = run(root, "show", "empty.md")
    assert result.exit_code == 0
    assert result.stdout_bytes == b""


def test_show_draft_writes_the_drafts_version(tmp_path: Path) -> None:
    root = make_bench(tmp_path / "bench", {"a.md": "old\n"}, draft={"a.md": "new\n"})
    assert run(root, "show", "--draft", "a.md").stdout_bytes == b"new\n"
    assert run(root, "show", "a.md").stdout_bytes == b"old\n"


def test_show_json_carries_text_content(bench_path: Path) -> None:
    result = ok(bench_path, "show", "docs/guide.md")
    assert result["content"] == "# Guide\n"
    assert result["kind"] == "text"
    assert result["path"] == "docs/guide.md"
    assert result["size"] == 8
    assert result["blob"] == rev(bench_path, "main:docs/guide.md")
    assert "content_base64" not in result


def test_show_json_carries_binary_content_as_base64(tmp_path: Path) -> None:
    root = make_bench(tmp_path / "bench", {"blob.bin": BINARY})
    result = ok(root, "show", "blob.bin")
    assert result["kind"] == "opaque"
    assert base64.b64decode(result["content_base64"]) == BINARY
    assert "content" not in result


def test_show_json_keeps_non_ascii_text(tmp_path: Path) -> None:
    root = make_bench(tmp_path / "bench", {"u.md": "naïve — ✓\n"})
    assert ok(root, "show", "u.md")["content"] == "naïve — ✓\n"


def test_show_refuses_a_missing_file(bench_path: Path) -> None:
    error = refused(bench_path, "show", "nope.md", code=ErrorCode.NOT_FOUND, phase="validating")
    assert error["detail"]["paths"] == ["nope.md"]


def test_show_refuses_a_directory(bench_path: Path) -> None:
    refused(bench_path, "show", "docs", code=ErrorCode.NOT_FOUND, phase="validating")


def test_show_refuses_a_file_deleted_in_the_draft(tmp_path: Path) -> None:
    root = make_bench(tmp_path / "bench", {"a.md": "a\n"}, draft={"a.md": None})
    refused(root, "show", "--draft", "a.md", code=ErrorCode.NOT_FOUND, phase="validating")


def test_show_draft_without_a_draft_is_refused(bench_path: Path) -> None:
    refused(bench_path, "show", "--draft", "notes.md", code=ErrorCode.NO_DRAFT, phase="validating")


def _adopted_with_a_latin1_name(tmp_path: Path) -> Path:
    """A repository made by plain git whose main holds a file name that is not UTF-8."""
    root = make_bench(tmp_path / "bench", {"ok.md": "ok\n"})
    Path(os.fsdecode(os.fsencode(root) + b"/caf\xe9.md")).write_bytes(b"x\n")
    git("add", "-A", cwd=root)
    git("commit", "-q", "-m", "latin-1 name", cwd=root)
    return root


@pytest.mark.parametrize("json_flag", [(), ("--json",)])
def test_ls_lists_a_file_name_that_is_not_utf8(tmp_path: Path, json_flag: tuple[str, ...]) -> None:
    root = _adopted_with_a_latin1_name(tmp_path)
    result = run(root, *json_flag, "ls")
    assert result.exit_code == 0
    assert "ok.md" in result.stdout
