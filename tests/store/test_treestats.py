"""A tree's file count and total size, counted once and then derived from a cached relative."""

from __future__ import annotations

import json
from pathlib import Path

from gitbench.store import objects, refs, treestats
from gitbench.store.repo import Workbench
from gitbench.store.treestats import TreeTotals
from gitbench.store.types import MAIN, ObjectId
from tests.support.gitcli import git


def _git_totals(tree: ObjectId, cwd: Path) -> TreeTotals:
    """What `git ls-tree -r -l` says: one line per file, the size in the fourth column."""
    lines = git("ls-tree", "-r", "-l", tree, cwd=cwd).splitlines()
    return TreeTotals(len(lines), sum(int(line.split()[3]) for line in lines))


def _main_tree(wb: Workbench) -> ObjectId:
    main = refs.read_ref(wb, MAIN)
    assert main is not None
    return objects.commit_info(wb, main).tree


def _changed(wb: Workbench, tree: ObjectId) -> ObjectId:
    # An addition, a deletion, a file that grows and a move to a new directory.
    blobs = {
        "added.txt": objects.write_blob(wb, b"new file\n"),
        "data.bin": None,
        "notes.md": objects.write_blob(wb, b"alpha\nbeta\ngamma, longer now\n"),
        "docs/guide.md": None,
        "moved/guide.md": objects.write_blob(wb, b"# Guide\n"),
    }
    return objects.build_tree(wb, tree, blobs)


def test_a_tree_is_counted_as_git_counts_it(wb: Workbench, bench_path: Path) -> None:
    tree = _main_tree(wb)
    assert treestats.tree_totals(wb, tree) == _git_totals(tree, bench_path)


def test_a_tree_near_a_cached_one_is_derived_through_the_diff(
    wb: Workbench, bench_path: Path
) -> None:
    old = _main_tree(wb)
    new = _changed(wb, old)
    treestats.tree_totals(wb, old)
    assert treestats.tree_totals(wb, new, near=[old]) == _git_totals(new, bench_path)
    # The other way round too: from the new tree back to the old one.
    assert treestats.tree_totals(wb, old, near=[new]) == _git_totals(old, bench_path)


def test_the_derivation_starts_from_the_cached_totals(wb: Workbench, bench_path: Path) -> None:
    # Proof that the near tree's blobs are not read again: a cached total that is off by
    # 1000 bytes carries over to the derived one.
    old = _main_tree(wb)
    new = _changed(wb, old)
    truth = _git_totals(old, bench_path)
    treestats.remember(wb, old, TreeTotals(truth.files, truth.bytes + 1000))
    derived = treestats.tree_totals(wb, new, near=[old])
    assert derived.bytes == _git_totals(new, bench_path).bytes + 1000
    cached = json.loads((wb.state_dir / treestats.CACHE_NAME).read_text())
    assert cached[new] == [derived.files, derived.bytes]


def test_without_a_cached_relative_the_tree_is_counted(wb: Workbench, bench_path: Path) -> None:
    old = _main_tree(wb)
    new = _changed(wb, old)
    assert treestats.tree_totals(wb, new, near=[old]) == _git_totals(new, bench_path)
