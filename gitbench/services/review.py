"""Review and diff: the draft's change set against main."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from gitbench.services.session import require_draft, require_main
from gitbench.store import diff, kinds, objects
from gitbench.store.repo import Workbench
from gitbench.store.types import FileChange, ObjectId

if TYPE_CHECKING:
    from gitbench.services.models import ReviewFile, ReviewResult


@dataclass(frozen=True)
class DiffResult:
    """The patch of `git diff main draft`; as JSON, the DiffResult of docs/json.md.

    A dataclass, and the pydantic models are imported only by `review`: `gitbench diff` never
    loads pydantic, which costs more than the diff itself (issue 8, cause A).
    """

    patch: str


def review(wb: Workbench, with_patches: bool = False) -> ReviewResult:
    """Per file: added / modified / deleted / renamed, line counts, kind; and for text files of
    reviewable size the unified diff when `with_patches`."""
    from gitbench.services.models import ReviewResult

    main, tip = require_main(wb), require_draft(wb)
    old_tree, new_tree = _trees(wb, main, tip)
    changes = diff.changes(wb, old_tree, new_tree)
    kind_of = kinds.blob_kinds(wb, sorted({_blob(c) for c in changes if not _too_big(c)}))
    patches = _patches(wb, old_tree, new_tree, changes, kind_of) if with_patches else {}
    files = [_file(c, kind_of, patches.get(c.path)) for c in changes]
    return ReviewResult(
        main=main,
        draft=tip,
        files=files,
        additions=sum(f.additions for f in files),
        deletions=sum(f.deletions for f in files),
    )


def diff_draft(wb: Workbench, paths: Sequence[str] = ()) -> DiffResult:
    """The plain unified diff of `git diff main draft -- PATHS`."""
    main, tip = require_main(wb), require_draft(wb)
    old_tree, new_tree = _trees(wb, main, tip)
    return DiffResult(patch="".join(diff.patch_text(wb, old_tree, new_tree, paths)))


def _trees(wb: Workbench, main: ObjectId, tip: ObjectId) -> tuple[ObjectId, ObjectId]:
    return objects.commit_info(wb, main).tree, objects.commit_info(wb, tip).tree


def _patches(
    wb: Workbench,
    old_tree: ObjectId,
    new_tree: ObjectId,
    changes: list[FileChange],
    kind_of: dict[ObjectId, kinds.FileKind],
) -> dict[str, str]:
    text = {c.path for c in changes if not _too_big(c) and kind_of.get(_blob(c)) == "text"}
    return diff.patches_by_path(wb, old_tree, new_tree, text) if text else {}


def _file(
    change: FileChange, kind_of: dict[ObjectId, kinds.FileKind], patch: str | None
) -> ReviewFile:
    from gitbench.services.models import ReviewFile

    kind = "opaque" if _too_big(change) else kind_of.get(_blob(change), "opaque")
    return ReviewFile(
        path=change.path,
        old_path=change.old_path,
        status=change.status,
        kind=kind,
        additions=change.additions,
        deletions=change.deletions,
        old_size=change.old_size,
        new_size=change.new_size,
        old_blob=change.old_blob,
        new_blob=change.new_blob,
        patch=patch,
    )


def _blob(change: FileChange) -> ObjectId:
    blob = change.new_blob or change.old_blob
    assert blob is not None
    return blob


def _too_big(change: FileChange) -> bool:
    return max(change.old_size, change.new_size) > diff.MAX_DIFF_BYTES
