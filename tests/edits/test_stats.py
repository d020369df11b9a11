"""Lines added/removed come from the regions; git's numstat is the oracle."""

from __future__ import annotations

import pytest

from gitbench.edits.apply import apply_file
from gitbench.edits.results import FileResult
from gitbench.edits.stats import line_count
from tests.edits.builders import lines, replace, write
from tests.support.gitcli import git_run

BEFORE = b"one\ntwo\nthree\nfour\nfive\n"


def _numstat(tmp_path, before: bytes, after: bytes) -> tuple[int, int]:
    (tmp_path / "a").write_bytes(before)
    (tmp_path / "b").write_bytes(after)
    done = git_run("diff", "--no-index", "--numstat", "a", "b", cwd=tmp_path)
    if not done.stdout:
        return 0, 0
    added, removed, _ = done.stdout.split("\t", 2)
    return int(added), int(removed)


@pytest.mark.parametrize(
    "ops",
    [
        [replace("two", "TWO")],
        [replace("two\nthree", "2")],
        [replace("two\n", "")],
        [replace("four\n", "four\n4.5\n")],
        [replace("o", "0", replace_all=True, expect_count=3)],
        [replace("one", "1"), replace("five", "5")],
        [replace("t", "T", occurrence=1), replace("hree", "HREE")],
        [lines(3, 2, "", "inserted")],
        [lines(6, 5, "", "end")],
        [lines(2, 4, "two\nthree\nfour", "")],
        [write("one\ntwo\nTHREE\nfour\nfive\n")],
        [write("zero\none\ntwo\nthree\nfour\nfive\n")],
        [replace("five\n", "five")],
    ],
)
def test_line_stats_match_git_numstat(tmp_path, ops):
    result = apply_file("f", BEFORE, ops)
    assert isinstance(result, FileResult), result
    assert result.new_bytes is not None
    expected = _numstat(tmp_path, BEFORE, result.new_bytes)
    assert (result.lines_added, result.lines_removed) == expected


def test_a_scattered_write_counts_only_its_changed_lines(tmp_path):
    # The write becomes one region per changed line (linediff), so distant changes do not
    # count the lines between them.
    result = apply_file("f", BEFORE, [write("ONE\ntwo\nthree\nfour\nFIVE\n")])
    assert isinstance(result, FileResult)
    assert (result.lines_added, result.lines_removed) == (2, 2)
    assert _numstat(tmp_path, BEFORE, result.new_bytes or b"") == (2, 2)


@pytest.mark.parametrize(
    ("data", "count"), [(b"", 0), (b"a", 1), (b"a\n", 1), (b"a\nb", 2), (b"\n\n", 2)]
)
def test_line_count_counts_a_last_line_without_newline(data, count):
    assert line_count(data) == count
