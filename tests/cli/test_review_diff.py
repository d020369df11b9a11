"""gitbench review and diff: the draft's change set against main."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from gitbench.errors import ErrorCode
from tests.cli.common import ok, refused
from tests.support.benches import make_bench
from tests.support.cli import run
from tests.support.gitcli import rev

GUIDE = "".join(
    f"line {i} of a guide long enough to be recognised when it moves\n" for i in range(20)
)
MAIN = {
    "notes.md": "alpha\nbeta\n",
    "docs/guide.md": GUIDE,
    "old.md": "to be deleted\nsecond line\n",
    "data.bin": b"\x00\x01\x02",
}
DRAFT = {
    "notes.md": "alpha\nBETA\ngamma\n",
    "docs/guide.md": None,
    "docs/manual.md": GUIDE,
    "old.md": None,
    "added.md": "one\ntwo\nthree\n",
    "data.bin": b"\x00\x01\x02\x03\x04",
}
WITHOUT_RENAME = {k: v for k, v in DRAFT.items() if not k.startswith("docs/")}


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return make_bench(tmp_path / "bench", MAIN, draft=DRAFT)


def git_bytes(root: Path, *args: str) -> bytes:
    done = subprocess.run(["git", *args], cwd=root, capture_output=True, check=True)
    return done.stdout


def test_review_lists_each_changed_file_with_its_status(root: Path) -> None:
    result = ok(root, "review")
    assert result["main"] == rev(root, "main")
    assert result["draft"] == rev(root, "draft")
    by_path = {f["path"]: f for f in result["files"]}
    assert {p: f["status"] for p, f in by_path.items()} == {
        "added.md": "added",
        "data.bin": "modified",
        "docs/manual.md": "renamed",
        "notes.md": "modified",
        "old.md": "deleted",
    }
    assert by_path["docs/manual.md"]["old_path"] == "docs/guide.md"
    assert by_path["notes.md"]["old_path"] is None


def test_review_counts_lines(root: Path) -> None:
    result = ok(root, "review")
    by_path = {f["path"]: f for f in result["files"]}
    counts = {p: (f["additions"], f["deletions"]) for p, f in by_path.items()}
    assert counts == {
        "added.md": (3, 0),
        "data.bin": (0, 0),
        "docs/manual.md": (0, 0),
        "notes.md": (2, 1),
        "old.md": (0, 2),
    }
    assert (result["additions"], result["deletions"]) == (5, 3)


def test_review_shows_opaque_files_by_size_and_hash(root: Path) -> None:
    result = ok(root, "review", "--patch")
    data = next(f for f in result["files"] if f["path"] == "data.bin")
    assert data["kind"] == "opaque"
    assert data["patch"] is None
    assert (data["old_size"], data["new_size"]) == (3, 5)
    assert data["old_blob"] == rev(root, "main:data.bin")
    assert data["new_blob"] == rev(root, "draft:data.bin")


def test_review_patches_are_off_for_json_by_default(root: Path) -> None:
    assert all(f["patch"] is None for f in ok(root, "review")["files"])


def test_review_patch_holds_the_text_diff(root: Path) -> None:
    result = ok(root, "review", "--patch")
    notes = next(f for f in result["files"] if f["path"] == "notes.md")
    assert notes["kind"] == "text"
    assert notes["patch"] == git_bytes(root, "diff", "main", "draft", "--", "notes.md").decode()
    added = next(f for f in result["files"] if f["path"] == "added.md")
    assert added["patch"] is not None
    assert "+three" in added["patch"]


def test_review_human_output_shows_the_diff(root: Path) -> None:
    result = run(root, "review")
    assert result.exit_code == 0
    assert "+gamma" in result.stdout
    assert "opaque" in result.stdout
    assert "docs/guide.md → docs/manual.md" in result.stdout


def test_review_of_an_empty_draft(tmp_path: Path) -> None:
    root = make_bench(tmp_path / "bench", {"a.md": "a\n"}, draft={})
    result = ok(root, "review")
    assert result["files"] == []
    assert (result["additions"], result["deletions"]) == (0, 0)


def test_review_without_a_draft_is_refused(bench_path: Path) -> None:
    refused(bench_path, "review", code=ErrorCode.NO_DRAFT, phase="validating")


def test_diff_is_byte_identical_to_git_diff(tmp_path: Path) -> None:
    root = make_bench(tmp_path / "bench", MAIN, draft=WITHOUT_RENAME)
    result = run(root, "diff")
    assert result.exit_code == 0
    assert result.stdout_bytes == git_bytes(root, "diff", "main", "draft")


def test_diff_with_a_rename_is_byte_identical_to_git_diff(root: Path) -> None:
    assert run(root, "diff").stdout_bytes == git_bytes(root, "diff", "main", "draft")


@pytest.mark.parametrize("path", ["notes.md", "data.bin", "old.md", "added.md"])
def test_diff_of_one_path_is_byte_identical_to_git_diff(tmp_path: Path, path: str) -> None:
    root = make_bench(tmp_path / "bench", MAIN, draft=WITHOUT_RENAME)
    result = run(root, "diff", path)
    assert result.exit_code == 0
    assert result.stdout_bytes == git_bytes(root, "diff", "main", "draft", "--", path)


def test_diff_of_a_directory_is_byte_identical_to_git_diff(tmp_path: Path) -> None:
    root = make_bench(
        tmp_path / "bench",
        {"dir/a.md": "a\n", "dir/b.md": "b\n", "dirt.md": "d\n"},
        draft={"dir/a.md": "A\n", "dir/c.md": "c\n", "dirt.md": "D\n"},
    )
    result = run(root, "diff", "dir")
    assert result.stdout_bytes == git_bytes(root, "diff", "main", "draft", "--", "dir")
    assert b"dirt.md" not in result.stdout_bytes


def test_diff_of_an_unchanged_path_is_empty(root: Path) -> None:
    result = run(root, "diff", "nothing-here.md")
    assert result.exit_code == 0
    assert result.stdout_bytes == b""


def test_diff_json_carries_the_patch(tmp_path: Path) -> None:
    root = make_bench(tmp_path / "bench", MAIN, draft=WITHOUT_RENAME)
    result = ok(root, "diff")
    assert result["patch"].encode() == git_bytes(root, "diff", "main", "draft")


def test_diff_without_a_draft_is_refused(bench_path: Path) -> None:
    refused(bench_path, "diff", code=ErrorCode.NO_DRAFT, phase="validating")


def _patch_counts(patch: str) -> tuple[int, int]:
    lines = patch.splitlines()
    plus = sum(1 for line in lines if line.startswith("+") and not line.startswith("+++"))
    minus = sum(1 for line in lines if line.startswith("-") and not line.startswith("---"))
    return plus, minus


def test_review_patch_agrees_with_the_line_counts(tmp_path: Path) -> None:
    root = make_bench(tmp_path / "bench", MAIN, draft=WITHOUT_RENAME)
    for f in ok(root, "review", "--patch")["files"]:
        if f["patch"] is not None:
            assert _patch_counts(f["patch"]) == (f["additions"], f["deletions"]), f["path"]


def test_review_patch_of_a_renamed_file_agrees_with_its_line_counts(root: Path) -> None:
    renamed = next(f for f in ok(root, "review", "--patch")["files"] if f["status"] == "renamed")
    assert renamed["patch"] is None or _patch_counts(renamed["patch"]) == (0, 0)


ODD_NAMES = ["my b/notes.md", "café.md", "tab\there.md", 'q"uote.md']


@pytest.mark.parametrize(
    "name",
    [
        *ODD_NAMES,
        "with space.md",
    ],
)
def test_diff_of_odd_file_names_is_byte_identical_to_git_diff(tmp_path: Path, name: str) -> None:
    root = make_bench(tmp_path / "bench", {name: "a\n"}, draft={name: "b\n"})
    assert run(root, "diff").stdout_bytes == git_bytes(root, "diff", "main", "draft")


@pytest.mark.parametrize("name", ODD_NAMES)
def test_review_patch_of_odd_file_names(tmp_path: Path, name: str) -> None:
    root = make_bench(tmp_path / "bench", {name: "a\n"}, draft={name: "b\n"})
    [changed] = ok(root, "review", "--patch")["files"]
    assert changed["path"] == name
    assert changed["patch"] is not None
    assert _patch_counts(changed["patch"]) == (1, 1)


def test_review_shows_a_huge_text_file_by_size_and_hash(tmp_path: Path) -> None:
    line = "a line of a very large text file\n"
    big = line * (9 * 1024 * 1024 // len(line))
    root = make_bench(tmp_path / "bench", {"big.txt": big}, draft={"big.txt": big + "one more\n"})
    [changed] = ok(root, "review", "--patch")["files"]
    assert changed["kind"] == "opaque"
    assert changed["patch"] is None
    assert changed["new_size"] == len(big) + len("one more\n")
    assert changed["new_blob"] == rev(root, "draft:big.txt")
