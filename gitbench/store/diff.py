"""Differences between two trees: per-file stats for review, unified patches for diff."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pygit2
from pygit2.enums import DeltaStatus, DiffFind

from gitbench.store.repo import Workbench
from gitbench.store.types import ChangeStatus, FileChange, ObjectId

# Past this size a file is reported by size and hash, never loaded to count lines
# (design.md section 3: diff stats on a 200 MB blob cost 10x git's time and 400+ MiB).
MAX_DIFF_BYTES = 8 * 1024 * 1024

_STATUS: dict[DeltaStatus, ChangeStatus] = {
    DeltaStatus.ADDED: "added",
    DeltaStatus.MODIFIED: "modified",
    DeltaStatus.DELETED: "deleted",
    DeltaStatus.RENAMED: "renamed",
    DeltaStatus.COPIED: "copied",
    DeltaStatus.TYPECHANGE: "typechange",
}


def changes(
    wb: Workbench, old_tree: ObjectId, new_tree: ObjectId, *, line_counts: bool = True
) -> list[FileChange]:
    """Each changed file, renames detected, with line counts for text files of sane size
    (without `line_counts`, none: no blob is read, for callers that only need the list)."""
    diff = _diff(wb, old_tree, new_tree)
    diff.find_similar(DiffFind.FIND_RENAMES)
    return [_change(wb, diff, i, delta, line_counts) for i, delta in enumerate(diff.deltas)]


def changed_paths(
    wb: Workbench, old_tree: ObjectId, new_tree: ObjectId
) -> list[tuple[ChangeStatus, str]]:
    """(status, path) of each changed file, renames detected, for callers that only count and
    name the changes: no blob is read, not even its header (200 of them were a third of
    publish's own work, issue 8)."""
    diff = _diff(wb, old_tree, new_tree)
    diff.find_similar(DiffFind.FIND_RENAMES)
    found: list[tuple[ChangeStatus, str]] = []
    for delta in diff.deltas:
        status = _STATUS.get(delta.status, "modified")
        found.append((status, delta.old_file.path if status == "deleted" else delta.new_file.path))
    return found


def patch_text(
    wb: Workbench, old_tree: ObjectId, new_tree: ObjectId, paths: Sequence[str] = ()
) -> Iterator[str]:
    """The unified diff git prints for `git diff OLD NEW -- PATHS`, one file at a time."""
    if paths:
        # git limits the trees to the pathspec *before* it looks for renames; so do we.
        old_tree, new_tree = _only(wb, old_tree, paths), _only(wb, new_tree, paths)
    for _, text in _patches(wb, old_tree, new_tree):
        yield text


def patches_by_path(
    wb: Workbench, old_tree: ObjectId, new_tree: ObjectId, wanted: set[str]
) -> dict[str, str]:
    """The patch of each changed file in `wanted`, keyed as `changes` names it."""
    return {path: text for path, text in _patches(wb, old_tree, new_tree) if path in wanted}


def _patches(wb: Workbench, old_tree: ObjectId, new_tree: ObjectId) -> Iterator[tuple[str, str]]:
    diff = _diff(wb, old_tree, new_tree)
    diff.find_similar(DiffFind.FIND_RENAMES)
    for index, delta in enumerate(diff.deltas):
        patch = diff[index]
        if patch is None or patch.text is None:
            continue
        deleted = delta.status == DeltaStatus.DELETED
        name = delta.old_file.path if deleted else delta.new_file.path
        yield name, _git_header(patch.text, delta)


def _git_header(text: str, delta: pygit2.DiffDelta) -> str:
    """git ends a `---`/`+++` line with a TAB when the file name holds a space (so that
    patch tools can find where the name ends); libgit2 does not."""
    head, sep, body = text.partition("\n@@")
    fixed = [line + "\t" if _names_with_space(line, delta) else line for line in head.split("\n")]
    return "\n".join(fixed) + sep + body


def _names_with_space(line: str, delta: pygit2.DiffDelta) -> bool:
    if line.startswith("--- a/"):
        return " " in delta.old_file.path
    return line.startswith("+++ b/") and " " in delta.new_file.path


def _only(wb: Workbench, tree: ObjectId, paths: Sequence[str]) -> ObjectId:
    index = pygit2.Index()
    index.read_tree(wb.repo[tree])  # type: ignore[arg-type]
    for entry in list(index):
        if not _under(entry.path, paths):
            index.remove(entry.path)
    return ObjectId(str(index.write_tree(wb.repo)))


def _under(name: str, paths: Sequence[str]) -> bool:
    return any(name == p or name.startswith(p.rstrip("/") + "/") for p in paths)


def _diff(wb: Workbench, old_tree: ObjectId, new_tree: ObjectId) -> pygit2.Diff:
    old, new = wb.repo[old_tree], wb.repo[new_tree]
    assert isinstance(old, pygit2.Tree) and isinstance(new, pygit2.Tree)
    return old.diff_to_tree(new)


def _change(
    wb: Workbench, diff: pygit2.Diff, index: int, delta: pygit2.DiffDelta, line_counts: bool
) -> FileChange:
    # A tree-to-tree diff leaves sizes at 0; the object header has them without reading the blob.
    old_size = _size(wb, delta.old_file.id)
    new_size = _size(wb, delta.new_file.id)
    binary = True  # until a patch of sane size says otherwise (is_binary would load both blobs)
    additions = deletions = 0
    if line_counts and max(old_size, new_size) <= MAX_DIFF_BYTES:
        patch = diff[index]
        if patch is not None:
            binary = bool(patch.delta.is_binary)
            if not binary:
                _, additions, deletions = patch.line_stats
    status = _STATUS.get(delta.status, "modified")
    return FileChange(
        status=status,
        path=delta.new_file.path if status != "deleted" else delta.old_file.path,
        old_path=delta.old_file.path if status in ("renamed", "copied") else None,
        old_blob=None if status == "added" else ObjectId(str(delta.old_file.id)),
        new_blob=None if status == "deleted" else ObjectId(str(delta.new_file.id)),
        old_size=old_size,
        new_size=new_size,
        additions=additions,
        deletions=deletions,
        binary=binary,
    )


def _size(wb: Workbench, oid: pygit2.Oid) -> int:
    if oid.raw == b"\0" * len(oid.raw):
        return 0
    return int(wb.repo.odb.read_header(oid)[1])
