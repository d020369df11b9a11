"""The published files: add, rm, ls, show, extract.

add and rm are a person's changes to main, so each is one commit on main; while a draft exists
they are refused, because the draft would no longer be based on the tip of main.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from gitbench.config import setting
from gitbench.errors import ErrorCode, GitbenchError
from gitbench.paths import first_collision, path_problem
from gitbench.services.models import (
    AddResult,
    ExtractedFile,
    ExtractResult,
    FileEntry,
    ListResult,
    RemoveResult,
    SkippedFile,
)
from gitbench.services.session import change, refuse_if_draft, require_draft, require_main
from gitbench.services.settings import read_setting
from gitbench.store import kinds, moves, objects
from gitbench.store.repo import Workbench
from gitbench.store.types import MAIN, ObjectId, RefUpdate, TreeFile

SCOPE_TRAILER = "Gitbench-Scope"


# A source file up to this size is read once, for both its blob and its kind; a bigger one is
# streamed (twice), so that a 1 GB file is never held in memory.
READ_WHOLE = 1 << 20


@dataclass(frozen=True)
class _Source:
    dest: str
    path: Path
    size: int
    stat: os.stat_result  # taken before the file is read

    @property
    def executable(self) -> bool:
        return bool(self.stat.st_mode & stat.S_IXUSR)


def add_files(
    wb: Workbench,
    sources: list[Path],
    as_name: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> AddResult:
    """Copy files and directories into main as one commit. The whole batch is refused if any
    path is unsafe; files over the size limit are skipped and reported. `progress` hears the
    phase (collecting, storing N files, committing)."""
    step = progress or (lambda _phase: None)
    step("collecting")
    if as_name is not None and len(sources) != 1:
        raise _invalid("--as names one file or directory; give a single PATH with it")
    refuse_if_draft(wb, "add files")  # before reading any source: the draft is the news
    found = _collect(wb, sources, as_name)
    limit = int(read_setting(wb, setting("limits.max_file_bytes")))
    accepted = [s for s in found if s.size <= limit]
    skipped = [
        SkippedFile(path=s.dest, reason=f"larger than limits.max_file_bytes ({limit})", size=s.size)
        for s in found
        if s.size > limit
    ]
    with change(wb, "add"):
        refuse_if_draft(wb, "add files")
        main = require_main(wb)
        existing = {f.path: f for f in objects.tree_files(wb, objects.commit_info(wb, main).tree)}
        _refuse_collisions(accepted, existing)
        _refuse_too_many(wb, accepted, existing)
        step(f"storing {len(accepted)} file(s)")
        stored = {s.dest: _store(wb, s) for s in accepted}
        blobs = {dest: blob for dest, (blob, _kind) in stored.items()}
        kinds.remember(wb, dict(stored.values()))
        step("committing")
        runs = {s.dest: s.executable for s in accepted}
        changed = {
            p: b
            for p, b in blobs.items()
            if p not in existing or (existing[p].blob, existing[p].executable) != (b, runs[p])
        }
        commit = None
        if changed:
            message = _add_message(changed, existing)
            # A file added where it already is holds its new blob: its stat data, taken before
            # it was read, lets the index record it without hashing it again.
            in_place = {s.dest: s.stat for s in accepted if s.path == wb.root / s.dest}
            executable = frozenset(p for p in runs if runs[p])
            commit = _commit_main(
                wb, main, changed, message, executable=executable, in_place=in_place
            )
    return _add_result(
        wb, commit=commit, accepted=accepted, blobs=blobs, existing=existing, skipped=skipped
    )


def remove_files(wb: Workbench, paths: list[str]) -> RemoveResult:
    """Remove files (or whole directories) from main as one commit."""
    with change(wb, "rm"):
        refuse_if_draft(wb, "remove files")
        main = require_main(wb)
        files = objects.tree_files(wb, objects.commit_info(wb, main).tree, with_sizes=False)
        doomed = _select(files, paths)
        message = f"Remove {_names(doomed)}"
        commit = _commit_main(wb, main, dict.fromkeys(doomed), message)
    return RemoveResult(commit=commit, removed=doomed)


def list_files(wb: Workbench, draft: bool = False) -> ListResult:
    """Every file of main (or of the draft), with its kind, size and blob id."""
    commit = require_draft(wb) if draft else require_main(wb)
    files = objects.tree_files(wb, objects.commit_info(wb, commit).tree)
    kind_of = kinds.blob_kinds(wb, sorted({f.blob for f in files}))
    return ListResult(
        ref="draft" if draft else "main",
        commit=commit,
        files=[_entry(f, kind_of[f.blob]) for f in files],
    )


@dataclass(frozen=True)
class FileContent:
    """A file's identity and its bytes as a stream (a 1 GB file is never loaded whole)."""

    entry: FileEntry
    chunks: Iterator[bytes]


def show_file(wb: Workbench, path: str, draft: bool = False) -> FileContent:
    commit = require_draft(wb) if draft else require_main(wb)
    tree = objects.commit_info(wb, commit).tree
    blob = objects.tree_blob(wb, tree, path)
    if blob is None:
        raise _not_found([path], "draft" if draft else "main")
    kind = kinds.blob_kinds(wb, [blob])[blob]
    entry = FileEntry(path=path, kind=kind, size=objects.blob_size(wb, blob), blob=blob)
    return FileContent(entry=entry, chunks=objects.blob_chunks(wb, blob))


def extract_files(wb: Workbench, paths: list[str], to: Path) -> ExtractResult:
    """Copy published files out of the workbench into `to`, never overwriting anything there:
    a name that is taken becomes `report(1).md`, `report(2).md`, ..."""
    refuse_if_draft(wb, "extract files")
    to = to.resolve()
    if to == wb.root or wb.root in to.parents:
        raise _invalid("extract writes outside the workbench; choose a directory elsewhere")
    main = require_main(wb)
    files = objects.tree_files(wb, objects.commit_info(wb, main).tree, with_sizes=False)
    chosen = _select(files, paths) if paths else [f.path for f in files]
    blob_of = {f.path: f.blob for f in files}
    _refuse_files_in_the_way(to, chosen)
    written = [
        ExtractedFile(path=p, written_to=str(_extract_one(wb, blob_of[p], to / p))) for p in chosen
    ]
    return ExtractResult(to=str(to), files=written)


def scope_hash(paths: list[str]) -> str:
    """Fingerprint of the set of files a model may be sent (the consent scope)."""
    # surrogateescape: a name that is not UTF-8 (in an adopted repository) hashes as its bytes.
    return hashlib.sha256("\n".join(sorted(paths)).encode("utf-8", "surrogateescape")).hexdigest()


def _collect(wb: Workbench, sources: list[Path], as_name: str | None) -> list[_Source]:
    found: list[_Source] = []
    for source in sources:
        # abspath, not resolve(): a symlink must be seen (and refused), not followed.
        absolute = Path(os.path.abspath(source))  # noqa: PTH100
        dest = as_name if as_name is not None else _default_dest(wb, absolute)
        found.extend(_walk(wb, absolute, dest))
    for item in found:
        problem = path_problem(item.dest)
        if problem:
            raise _violation(f"{item.dest!r}: {problem}", item.dest)
    return found


def _default_dest(wb: Workbench, absolute: Path) -> str:
    # A file already inside the workbench keeps its place; anything else lands at the top.
    if wb.root in absolute.parents:
        return absolute.relative_to(wb.root).as_posix()
    return absolute.name


def _walk(wb: Workbench, path: Path, dest: str) -> Iterator[_Source]:
    # Plain strings and os.scandir: pathlib objects for 10,000 files cost more than git's
    # whole `add` of them (issue 8).
    forbidden = (str(wb.root), str(wb.git_dir))
    yield from _visit(str(path), dest, _lstat(path), forbidden)


def _visit(
    path: str, dest: str, info: os.stat_result, forbidden: tuple[str, str]
) -> Iterator[_Source]:
    if path in forbidden or path.startswith(forbidden[1] + os.sep):
        raise _violation(f"{path} is the workbench itself or its git directory", dest)
    if stat.S_ISLNK(info.st_mode):
        raise _violation(f"{path} is a symbolic link; add the file it points to instead", dest)
    if stat.S_ISREG(info.st_mode):
        yield _Source(dest=dest, path=Path(path), size=info.st_size, stat=info)
    elif stat.S_ISDIR(info.st_mode):
        with os.scandir(path) as listing:
            children = sorted(listing, key=lambda entry: entry.name)
        for child in children:
            child_info = _lstat(Path(child.path))
            yield from _visit(child.path, f"{dest}/{child.name}", child_info, forbidden)
    else:
        raise _violation(f"{path} is not a regular file or directory", dest)


def _lstat(path: Path) -> os.stat_result:
    try:
        return path.lstat()
    except FileNotFoundError:
        raise GitbenchError(
            ErrorCode.NOT_FOUND,
            f"{path} does not exist",
            phase="validating",
            detail={"path": str(path)},
        ) from None
    except OSError as exc:
        raise GitbenchError(
            ErrorCode.FILE_READ_FAILED,
            f"cannot read {path}: {exc.strerror}",
            phase="validating",
            detail={"path": str(path)},
        ) from exc


def _refuse_collisions(sources: list[_Source], existing: dict[str, TreeFile]) -> None:
    clash = first_collision([s.dest for s in sources], existing)
    if clash is not None:
        raise _violation(clash[1], clash[0])


def _refuse_too_many(wb: Workbench, sources: list[_Source], existing: dict[str, TreeFile]) -> None:
    limit = int(read_setting(wb, setting("limits.max_files")))
    total = len(existing.keys() | {s.dest for s in sources})
    if total > limit:
        raise GitbenchError(
            ErrorCode.VALIDATION_FAILED,
            f"the workbench would hold {total} files, more than limits.max_files ({limit})",
            phase="validating",
            detail={
                "files": total,
                "limit": limit,
                "hint": "gitbench config set limits.max_files N",
            },
        )


def _commit_main(
    wb: Workbench,
    main: ObjectId,
    changes: Mapping[str, ObjectId | None],
    message: str,
    *,
    executable: frozenset[str] | None = None,
    in_place: Mapping[str, os.stat_result] | None = None,
) -> ObjectId:
    tree = objects.build_tree(wb, objects.commit_info(wb, main).tree, changes, executable)
    paths = [f.path for f in objects.tree_files(wb, tree, with_sizes=False)]
    full = f"{message}\n\n{SCOPE_TRAILER}: {scope_hash(paths)}\n"
    commit = objects.create_commit(wb, tree, [main], full)
    update = RefUpdate(MAIN, main, commit)
    moves.move_refs(wb, [update], f"gitbench: {message}", holding=in_place or {})
    return commit


def _store(wb: Workbench, source: _Source) -> tuple[ObjectId, kinds.FileKind]:
    """The blob and the kind of a source file."""
    if source.size > READ_WHOLE:
        return objects.write_blob_from_file(wb, source.path), kinds.classify_path(source.path)
    try:
        data = source.path.read_bytes()
    except OSError as exc:
        raise GitbenchError(
            ErrorCode.FILE_READ_FAILED,
            f"cannot read {source.path}: {exc.strerror}",
            phase="storing",
            detail={"path": str(source.path)},
        ) from exc
    return objects.write_blob(wb, data), kinds.classify_bytes(data)


def _add_message(changed: dict[str, ObjectId], existing: dict[str, TreeFile]) -> str:
    new = [p for p in changed if p not in existing]
    updated = [p for p in changed if p in existing]
    parts = ([f"Add {_names(new)}"] if new else []) + (
        [f"Update {_names(updated)}"] if updated else []
    )
    return "; ".join(parts)


def _add_result(
    wb: Workbench,
    *,
    commit: ObjectId | None,
    accepted: list[_Source],
    blobs: dict[str, ObjectId],
    existing: dict[str, TreeFile],
    skipped: list[SkippedFile],
) -> AddResult:
    kind_of = kinds.blob_kinds(wb, sorted(set(blobs.values())))
    entries = {
        s.dest: FileEntry(path=s.dest, kind=kind_of[blobs[s.dest]], size=s.size, blob=blobs[s.dest])
        for s in accepted
    }
    return AddResult(
        commit=commit,
        added=[e for p, e in entries.items() if p not in existing],
        updated=[e for p, e in entries.items() if p in existing and existing[p].blob != e.blob],
        unchanged=[p for p, e in entries.items() if p in existing and existing[p].blob == e.blob],
        skipped=skipped,
    )


def _select(files: list[TreeFile], paths: list[str]) -> list[str]:
    """The files named by `paths`, each a file or a directory; NOT_FOUND for any other."""
    names = [f.path for f in files]
    chosen: dict[str, None] = {}
    missing = []
    for wanted in (p.strip("/") for p in paths):
        hits = [n for n in names if n == wanted or n.startswith(wanted + "/")]
        if not hits:
            missing.append(wanted)
        chosen.update(dict.fromkeys(hits))
    if missing:
        raise _not_found(missing, "main")
    return list(chosen)


def _refuse_files_in_the_way(to: Path, paths: list[str]) -> None:
    """A file where a directory must go cannot be renamed around; say so before writing."""
    folders = {to, *to.parents}
    folders |= {parent for p in paths for parent in (to / p).parents if to in parent.parents}
    blocked = sorted(str(f) for f in folders if f.exists() and not f.is_dir())
    if blocked:
        raise GitbenchError(
            ErrorCode.FILE_WRITE_FAILED,
            f"a file is in the way of a directory: {', '.join(blocked)}; nothing was extracted",
            phase="validating",
            detail={"paths": blocked},
        )


def _extract_one(wb: Workbench, blob: ObjectId, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    for candidate in _free_names(target):
        try:
            handle = candidate.open("xb")
        except FileExistsError:
            continue
        with handle:
            for chunk in objects.blob_chunks(wb, blob):
                handle.write(chunk)
        return candidate
    raise AssertionError("unreachable: _free_names never ends")


def _free_names(target: Path) -> Iterator[Path]:
    yield target
    n = 1
    while True:
        yield target.with_name(f"{target.stem}({n}){target.suffix}")
        n += 1


def _entry(f: TreeFile, kind: kinds.FileKind) -> FileEntry:
    return FileEntry(path=f.path, kind=kind, size=f.size, blob=f.blob)


def _names(paths: list[str]) -> str:
    return ", ".join(paths[:3]) + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")


def _invalid(message: str) -> GitbenchError:
    return GitbenchError(ErrorCode.VALIDATION_FAILED, message, phase="validating")


def _violation(message: str, path: str) -> GitbenchError:
    return GitbenchError(
        ErrorCode.SANDBOX_VIOLATION,
        message + "; nothing was added",
        phase="validating",
        detail={"path": path},
    )


def _not_found(paths: list[str], where: str) -> GitbenchError:
    return GitbenchError(
        ErrorCode.NOT_FOUND,
        f"not in {where}: {', '.join(paths)}",
        phase="validating",
        detail={"paths": paths, "hint": "gitbench ls" + (" --draft" if where == "draft" else "")},
    )
