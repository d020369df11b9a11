"""How many files a tree holds and their total size (a checkpoint's `files` and `bytes`).

Counting the bytes of a tree reads the header of every blob: 0.15-0.5 s for 10,000 files, more
than everything else publish and restore do (issue 8). The totals depend only on the tree id, so
they are cached by it; a tree that is not cached is derived from one that is, through the diff
between the two, which reads only the changed blobs. Only a tree with no cached relative is
counted in full.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pygit2

from gitbench.store.caches import load_cache, save_cache
from gitbench.store.objects import tree_files, tree_object
from gitbench.store.repo import Workbench
from gitbench.store.types import ObjectId

CACHE_NAME = "tree-totals.json"
CACHE_TREES = 64


@dataclass(frozen=True)
class TreeTotals:
    files: int
    bytes: int


def tree_totals(wb: Workbench, tree: ObjectId, near: Sequence[ObjectId] = ()) -> TreeTotals:
    """The totals of `tree`; `near` names trees likely to be cached and close to it (the other
    side of the change at hand), from which it is derived by a diff instead of counted."""
    cache = _load(wb)
    found = cache.get(tree)
    if found is not None:
        return found
    base = next((t for t in near if t in cache), None)
    found = _counted(wb, tree) if base is None else _derived(wb, base, cache[base], tree)
    _save(wb, cache, tree, found)
    return found


def remember(wb: Workbench, tree: ObjectId, totals: TreeTotals) -> None:
    """Record the totals of a tree counted elsewhere (the clutter score reads every size too)."""
    _save(wb, _load(wb), tree, totals)


def _counted(wb: Workbench, tree: ObjectId) -> TreeTotals:
    files = tree_files(wb, tree)
    return TreeTotals(len(files), sum(f.size for f in files))


def _derived(wb: Workbench, base: ObjectId, totals: TreeTotals, tree: ObjectId) -> TreeTotals:
    # Without rename detection a rename is a deletion and an addition: the sums come out right.
    files, size = totals.files, totals.bytes
    for delta in tree_object(wb, base).diff_to_tree(tree_object(wb, tree)).deltas:
        files += _exists(delta.new_file.id) - _exists(delta.old_file.id)
        size += _size(wb, delta.new_file.id) - _size(wb, delta.old_file.id)
    return TreeTotals(files, size)


def _exists(oid: pygit2.Oid) -> int:
    return 0 if oid.raw == b"\0" * len(oid.raw) else 1


def _size(wb: Workbench, oid: pygit2.Oid) -> int:
    return int(wb.repo.odb.read_header(oid)[1]) if _exists(oid) else 0


def _load(wb: Workbench) -> dict[ObjectId, TreeTotals]:
    raw = load_cache(wb, CACHE_NAME)
    return {
        ObjectId(k): TreeTotals(int(v[0]), int(v[1]))
        for k, v in raw.items()
        if isinstance(v, list) and len(v) == 2
    }


def _save(
    wb: Workbench, cache: dict[ObjectId, TreeTotals], tree: ObjectId, totals: TreeTotals
) -> None:
    kept = [(k, v) for k, v in cache.items() if k != tree][-(CACHE_TREES - 1) :]
    raw = {str(k): [v.files, v.bytes] for k, v in [*kept, (tree, totals)]}
    save_cache(wb, CACHE_NAME, raw)
