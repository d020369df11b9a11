"""The list of changed files agrees with git's, renames included."""

from __future__ import annotations

from pathlib import Path

from gitbench.clock import FixedClock
from gitbench.services.session import open_bench
from gitbench.store import diff, objects, refs
from gitbench.store.repo import Workbench
from gitbench.store.types import DRAFT, MAIN, ObjectId
from tests.support.benches import make_bench
from tests.support.gitcli import git

# git's letters for the statuses gitbench names.
_LETTER = {"added": "A", "modified": "M", "deleted": "D", "renamed": "R"}


def _tree(wb: Workbench, ref: str) -> ObjectId:
    tip = refs.read_ref(wb, MAIN if ref == "main" else DRAFT)
    assert tip is not None
    return objects.commit_info(wb, tip).tree


def test_changed_paths_name_what_git_diff_names(tmp_path: Path, clock: FixedClock) -> None:
    guide = "# Guide\n" + "a line that makes the file worth a rename\n" * 20
    root = make_bench(
        tmp_path / "bench",
        {"notes.md": "alpha\n", "old/guide.md": guide, "gone.txt": "bye\n"},
        draft={
            "notes.md": "beta\n",
            "old/guide.md": None,
            "new/guide.md": guide,
            "gone.txt": None,
            "added.txt": "hi\n",
        },
    )
    wb = open_bench(root, clock=clock)
    found = diff.changed_paths(wb, _tree(wb, "main"), _tree(wb, "draft"))
    listing = git("diff", "--name-status", "-M", "main", "draft", cwd=root).splitlines()
    expected = {(line[0], line.split("\t")[-1]) for line in listing}
    assert {(_LETTER[status], path) for status, path in found} == expected
    assert ("renamed", "new/guide.md") in found
