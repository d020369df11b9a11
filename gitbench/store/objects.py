"""Objects first: blobs, trees, commits and tag objects are written before any ref moves."""

from __future__ import annotations

import contextlib
import errno
from collections.abc import Iterator, Mapping
from pathlib import Path

import pygit2
from pygit2.enums import FileMode, ObjectType

from gitbench.errors import Action, ErrorCode, GitbenchError
from gitbench.store.repo import Workbench
from gitbench.store.types import CommitInfo, ObjectId, TagInfo, TreeFile


def empty_tree(wb: Workbench) -> ObjectId:
    """The empty tree, written so that libgit2 can diff against it."""
    with _storage_errors("write_tree"):
        return ObjectId(str(wb.repo.TreeBuilder().write()))


def write_blob(wb: Workbench, data: bytes) -> ObjectId:
    with _storage_errors("write_blob"):
        return ObjectId(str(wb.repo.create_blob(data)))


def write_blob_from_file(wb: Workbench, path: Path) -> ObjectId:
    """Stream a file into the object database without loading it whole."""
    with _storage_errors("write_blob"):
        return ObjectId(str(wb.repo.create_blob_fromdisk(str(path))))


def read_blob(wb: Workbench, blob: ObjectId) -> bytes:
    return bytes(_blob(wb, blob).data)


def tree_object(wb: Workbench, tree: ObjectId) -> pygit2.Tree:
    obj = wb.repo[tree]
    assert isinstance(obj, pygit2.Tree), f"{tree} is not a tree"
    return obj


def _blob(wb: Workbench, blob: ObjectId) -> pygit2.Blob:
    obj = wb.repo[blob]
    assert isinstance(obj, pygit2.Blob), f"{blob} is not a blob"
    return obj


def blob_chunks(wb: Workbench, blob: ObjectId, chunk: int = 1 << 20) -> Iterator[bytes]:
    """The blob's bytes in pieces, so a 1 GB file never sits in memory whole."""
    with pygit2.BlobIO(_blob(wb, blob)) as stream:
        while piece := stream.read(chunk):
            yield piece


def blob_size(wb: Workbench, blob: ObjectId) -> int:
    _, size = wb.repo.odb.read_header(blob)
    return int(size)


def build_tree(
    wb: Workbench,
    base: ObjectId | None,
    changes: Mapping[str, ObjectId | None],
    executable: frozenset[str] | None = None,
) -> ObjectId:
    """`base` with each path set to a blob (or removed, for None), as a new tree object.
    With `executable`, exactly those changed paths are executable; without it, a changed file
    keeps the bit it had in `base`."""
    index = pygit2.Index()
    if base is not None:
        index.read_tree(tree_object(wb, base))
    for path, blob in changes.items():
        if blob is None:
            index.remove(path)
            continue
        if executable is None:
            runs = path in index and index[path].mode == FileMode.BLOB_EXECUTABLE
        else:
            runs = path in executable
        mode = FileMode.BLOB_EXECUTABLE if runs else FileMode.BLOB
        index.add(pygit2.IndexEntry(path, pygit2.Oid(hex=blob), mode))
    with _storage_errors("write_tree"):
        return ObjectId(str(index.write_tree(wb.repo)))


def tree_files(wb: Workbench, tree: ObjectId, with_sizes: bool = True) -> list[TreeFile]:
    """Every file of the tree, depth first, sorted by path."""
    index = pygit2.Index()
    index.read_tree(tree_object(wb, tree))
    read_header = wb.repo.odb.read_header
    files = []
    for entry in index:
        size = int(read_header(entry.id)[1]) if with_sizes else -1
        executable = entry.mode == FileMode.BLOB_EXECUTABLE
        files.append(TreeFile(entry.path, ObjectId(str(entry.id)), size, executable))
    return files


def tree_blob(wb: Workbench, tree: ObjectId, path: str) -> ObjectId | None:
    """The blob at `path` in the tree, or None when there is no file there."""
    try:
        entry = wb.repo[tree][path]  # type: ignore[index]
    except KeyError:
        return None
    if entry.type != ObjectType.BLOB:
        return None
    return ObjectId(str(entry.id))


def is_directory(wb: Workbench, tree: ObjectId, path: str) -> bool:
    try:
        entry = wb.repo[tree][path]  # type: ignore[index]
    except KeyError:
        return False
    return bool(entry.type == ObjectType.TREE)


def create_commit(wb: Workbench, tree: ObjectId, parents: list[ObjectId], message: str) -> ObjectId:
    sig = signature(wb)
    with _storage_errors("commit"):
        oid = wb.repo.create_commit(
            None, sig, sig, message, pygit2.Oid(hex=tree), [pygit2.Oid(hex=p) for p in parents]
        )
    return ObjectId(str(oid))


def commit_info(wb: Workbench, commit: ObjectId) -> CommitInfo:
    obj = wb.repo[commit]
    assert isinstance(obj, pygit2.Commit)
    return CommitInfo(
        id=commit,
        tree=ObjectId(str(obj.tree_id)),
        parents=tuple(ObjectId(str(p)) for p in obj.parent_ids),
        message=obj.message,
        author=f"{obj.author.name} <{obj.author.email}>",
        time=obj.commit_time,
        trailers=parse_trailers(obj.message),
    )


def commits_between(wb: Workbench, tip: ObjectId, base: ObjectId | None) -> list[CommitInfo]:
    """Commits reachable from `tip` but not from `base`, newest first."""
    walker = wb.repo.walk(pygit2.Oid(hex=tip))
    if base is not None:
        walker.hide(pygit2.Oid(hex=base))
    return [commit_info(wb, ObjectId(str(c.id))) for c in walker]


def is_ancestor(wb: Workbench, ancestor: ObjectId, descendant: ObjectId) -> bool:
    """True when `ancestor` is `descendant` or one of its ancestors."""
    if ancestor == descendant:
        return True
    return bool(wb.repo.descendant_of(pygit2.Oid(hex=descendant), pygit2.Oid(hex=ancestor)))


def merge_base(wb: Workbench, a: ObjectId, b: ObjectId) -> ObjectId | None:
    found = wb.repo.merge_base(pygit2.Oid(hex=a), pygit2.Oid(hex=b))
    return ObjectId(str(found)) if found is not None else None


def write_tag(wb: Workbench, name: str, target: ObjectId, message: str) -> ObjectId:
    """An annotated tag object for `target`, without its ref (the caller moves refs by CAS)."""
    sig = signature(wb)
    raw = (
        f"object {target}\ntype commit\ntag {name}\n"
        f"tagger {sig.name} <{sig.email}> {sig.time} +0000\n\n{message}"
    )
    with _storage_errors("write_tag"):
        return ObjectId(str(wb.repo.odb.write(ObjectType.TAG, raw.encode())))


def peel_to_commit(wb: Workbench, oid: ObjectId) -> ObjectId | None:
    """The commit a tag (or chain of tags) points at; None when it ends at something else."""
    obj = wb.repo.get(oid)
    while isinstance(obj, pygit2.Tag):
        obj = wb.repo.get(obj.target)
    return ObjectId(str(obj.id)) if isinstance(obj, pygit2.Commit) else None


def is_tag(wb: Workbench, oid: ObjectId) -> bool:
    return bool(wb.repo[oid].type == ObjectType.TAG)


def tag_info(wb: Workbench, tag: ObjectId) -> TagInfo:
    """The tag object's own fields; `name` is the name written inside it, not its ref."""
    obj = wb.repo[tag]
    assert isinstance(obj, pygit2.Tag)
    tagger_time = obj.tagger.time if obj.tagger is not None else 0
    return TagInfo(obj.name, tag, ObjectId(str(obj.target)), obj.message, tagger_time)


def signature(wb: Workbench) -> pygit2.Signature:
    moment = int(wb.clock.now().timestamp())
    return pygit2.Signature(wb.identity.name, wb.identity.email, moment, 0)


def parse_trailers(message: str) -> dict[str, str]:
    """`Key: value` lines of the message's last paragraph (git's trailer block)."""
    last = message.rstrip("\n").rsplit("\n\n", 1)[-1]
    trailers = {}
    for line in last.splitlines():
        key, sep, value = line.partition(": ")
        if not sep or " " in key or not key:
            return {}
        trailers[key] = value
    return trailers


@contextlib.contextmanager
def _storage_errors(phase: str) -> Iterator[None]:
    """Translate the object database's OS failures into DISK_FULL / FILE_WRITE_FAILED."""
    try:
        yield
    except OSError as exc:
        raise storage_error(exc, phase) from exc
    except pygit2.GitError as exc:
        # libgit2 reports its own I/O failures as GitError; only its message tells the cause.
        code = errno.ENOSPC if "no space left" in str(exc).lower() else errno.EIO
        raise storage_error(OSError(code, str(exc)), phase) from exc


def storage_error(exc: OSError, phase: str) -> GitbenchError:
    if exc.errno == errno.ENOSPC:
        return GitbenchError(
            ErrorCode.DISK_FULL,
            "the disk is full; nothing was changed",
            phase=phase,
            actions=(Action.FREE_DISK_SPACE,),
        )
    return GitbenchError(
        ErrorCode.FILE_WRITE_FAILED,
        f"cannot write to the repository: {exc.strerror or exc}",
        phase=phase,
        actions=(Action.RETRY,),
    )
