"""What a model was shown (spec principle 1): the draft head and each shown file's blob,
recorded when the prompt is built and never re-read at apply time; and what a re-ask is told.
"""

from __future__ import annotations

from dataclasses import dataclass

from gitbench.edits.apply import shown_file
from gitbench.edits.codec import decode
from gitbench.edits.results import Rejection
from gitbench.edits.schema import ShownFile
from gitbench.edits.settings import EditSettings
from gitbench.services.session import require_main
from gitbench.services.settings import edit_settings
from gitbench.store import objects, refs
from gitbench.store.repo import Workbench
from gitbench.store.types import DRAFT, ObjectId

BIG_FILE = 64 * 1024
EXCERPT_LINES = 40


@dataclass(frozen=True)
class RetryRequest:
    """What the second call to the model is told: why the first answer was refused, the fresh
    content of the failing file (or a window around the failure for big files) and the blobs
    now current, which become the new `shown` record."""

    rejection: Rejection
    content: dict[str, str]
    shown: dict[str, ShownFile]


@dataclass(frozen=True)
class Context:
    """What the model was shown, recorded when its prompt was built (spec principle 1): the
    draft head then, and each shown file's blob, EOL and BOM. Never re-read at apply time."""

    base: ObjectId
    shown: dict[str, ShownFile]
    # Files the model read only in part (through the read tools): replace edits may anchor
    # in what it read, but a whole-file write or a delete would act on unseen lines.
    partial: frozenset[str] = frozenset()


def record_context(wb: Workbench, paths: list[str], *, keep: bool = False) -> Context:
    """Record the draft head and `paths` as they are now, as shown to a model. `keep` keeps
    each file's bytes on its record, for an apply that follows at once (`gitbench apply`)."""
    base = draft_head(wb)
    shown = record_shown(wb, base, paths, edit_settings(wb), keep=keep)
    return Context(base=base, shown=shown)


def draft_head(wb: Workbench) -> ObjectId:
    """The draft's tip, or main's when there is no draft: what an edit applies to."""
    return refs.read_ref(wb, DRAFT) or require_main(wb)


def record_shown(
    wb: Workbench, base: ObjectId, paths: list[str], settings: EditSettings, *, keep: bool = False
) -> dict[str, ShownFile]:
    """Files the model can edit; a binary or non-UTF-8 one is left out, so an edit of it is
    refused as `not_in_context` (never shown, never edited)."""
    tree = objects.commit_info(wb, base).tree
    shown: dict[str, ShownFile] = {}
    for path in paths:
        blob = objects.tree_blob(wb, tree, path)
        data = objects.read_blob(wb, blob) if blob else None
        # The tree's id is the blob's hash: no need to hash the bytes again.
        record = shown_file(path, data, settings, blob=blob, keep=keep)
        if not isinstance(record, Rejection):
            shown[path] = record
    return shown


def retry_request(
    wb: Workbench, settings: EditSettings, rejection: Rejection, context: Context
) -> RetryRequest:
    """What a re-ask is told, after `rejection` of an answer made against `context`."""
    head = draft_head(wb)
    tree = objects.commit_info(wb, head).tree
    failing = [rejection.path] if rejection.path else []
    content: dict[str, str] = {}
    for path in failing:
        blob = objects.tree_blob(wb, tree, path)
        if blob is not None:
            content[path] = _fresh_text(objects.read_blob(wb, blob), path, rejection)
    # Every file shown before is shown again as it is now: its new blob is the new record.
    paths = sorted({*context.shown, *failing})
    return RetryRequest(
        rejection=rejection, content=content, shown=record_shown(wb, head, paths, settings)
    )


def _fresh_text(data: bytes, path: str, rejection: Rejection) -> str:
    view = decode(data, path=path)
    if isinstance(view, Rejection):
        return ""
    if len(data) <= BIG_FILE:
        return view.text
    line = next(
        (int(d["line"]) for d in rejection.diagnostics if isinstance(d.get("line"), int)), 1
    )
    lines = view.text.split("\n")
    start = max(0, line - 1 - EXCERPT_LINES)
    return "\n".join(lines[start : line + EXCERPT_LINES])
