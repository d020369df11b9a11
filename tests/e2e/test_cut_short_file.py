"""A kill while libgit2's checkout is writing a file leaves it cut short (it writes in place,
front to back). Recovery must treat that file as its own half-finished work and put it back,
not keep it as a person's edit: otherwise the next command shows a mix of two states."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.benches import commit_on_branch, make_bench
from tests.support.cli import run
from tests.support.crash import gitbench
from tests.support.gitcli import git

pytestmark = pytest.mark.e2e


def killed_discard_on_draft(tmp_path: Path) -> Path:
    """A discard killed after its intent record, before it touched the working tree."""
    root = make_bench(tmp_path / "bench", {"notes.md": "alpha\nbeta\n", "guide.md": "# G\n"})
    commit_on_branch(root, "draft", {"notes.md": "alpha\nBETA\nmore\n"}, "d")
    git("checkout", "-q", "draft", cwd=root)
    outcome = gitbench(root, "discard", "--yes", env={"GITBENCH_FAULT_AT": "intent_written"})
    assert outcome.killed
    return root


@pytest.mark.parametrize("left", [b"", b"alp", b"alpha\nBE", b"alpha\nbe"])
def test_a_file_cut_short_by_the_kill_is_put_back(tmp_path: Path, left: bytes) -> None:
    # b"alpha\nbe" is the start of main's version (the one the discard was writing),
    # the others of the draft's (the one it was about to overwrite); b"" of both.
    root = killed_discard_on_draft(tmp_path)
    (root / "notes.md").write_bytes(left)
    result = run(root, "--json", "status")
    assert result.exit_code == 0, result.stdout
    # Rolled back (no ref had moved): the draft's file, whole, and nothing reported as kept.
    assert (root / "notes.md").read_bytes() == b"alpha\nBETA\nmore\n"
    assert git("status", "--porcelain", cwd=root) == ""


def test_a_file_that_is_not_a_start_of_either_version_is_kept(tmp_path: Path) -> None:
    root = killed_discard_on_draft(tmp_path)
    (root / "notes.md").write_bytes(b"a person's own words\n")
    assert run(root, "status").exit_code == 0
    assert (root / "notes.md").read_bytes() == b"a person's own words\n"
