"""What an inspector check sees: one file's before/after views and where each op landed.

Shared by `inspector` (the driver and the local checks) and `duplicates` (the repetition checks).
`clusters` gives the exact paragraph windows (see `paragraphs`) that cover every edit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from gitbench.edits.paragraphs import window_end, window_start
from gitbench.edits.reasons import ReasonCode
from gitbench.edits.resolve import line_of
from gitbench.edits.results import Diagnostic
from gitbench.edits.schema import FileOp, ReplaceLinesOp, ReplaceOp, WriteOp
from gitbench.edits.settings import EditSettings


@dataclass(frozen=True, slots=True)
class Edit:
    """One region: before[start:end] became after[after_start:after_end] == text."""

    start: int
    end: int
    text: str
    after_start: int
    op_index: int
    op: FileOp

    @property
    def after_end(self) -> int:
        return self.after_start + len(self.text)

    @property
    def is_write(self) -> bool:
        return isinstance(self.op, WriteOp)

    @property
    def allows_duplicates(self) -> bool:
        return isinstance(self.op, ReplaceOp | ReplaceLinesOp) and self.op.allow_duplicates

    @property
    def allows_large_change(self) -> bool:
        return isinstance(self.op, WriteOp) and self.op.allow_large_change


@dataclass(frozen=True)
class Change:
    """A file's views around the edits (sorted by position, before coordinates)."""

    path: str
    before: str
    after: str
    edits: Sequence[Edit]


def is_word(char: str) -> bool:
    """The spec's `word(c)`; "" (outside the text) is not a word character."""
    return char != "" and (char.isalnum() or char == "_")


def char_at(text: str, index: int) -> str:
    """text[index], or "" outside the text (never wraps around like text[-1])."""
    return text[index] if 0 <= index < len(text) else ""


def finding(
    change: Change,
    settings: EditSettings,
    check: ReasonCode,
    op_index: int | None,
    *,
    pos: int | None,
    excerpt: str | None,
    counts: dict[str, Any],
    **extra: Any,
) -> Diagnostic:
    """A diagnostic in the spec's shape; `pos` is an offset in the after view."""
    shown = excerpt[: settings.excerpt_chars] if settings.excerpts and excerpt else None
    line = line_of(change.after, pos) if pos is not None else None
    base = {"check": check.value, "path": change.path, "op_index": op_index, "line": line}
    return base | {"excerpt": shown, "counts": counts} | extra


def clusters(change: Change, anchors: int) -> list[tuple[int, int, int, int]]:
    """Disjoint windows (before b0:b1, after a0:a1) covering every edit, cut at anchors.

    Text outside the windows is identical in both views and segments identically, so a
    paragraph count over the windows differs between the views exactly as the whole-file one.
    """
    found: list[tuple[int, int, int, int]] = []
    text = change.before
    for edit in change.edits:
        merges = bool(found) and edit.start < found[-1][1]
        # An edit inside the previous window joins it whatever its own start; and once a
        # window reaches the end of the text, so does every later one. Skipping those scans
        # keeps a file without blank lines from being scanned whole once per edit (#6).
        if merges and found[-1][1] == len(text):
            b1 = len(text)
        else:
            b1 = window_end(text, edit.end, anchors)
        a1 = b1 + (edit.after_end - edit.end)
        b0 = found[-1][0] if merges else window_start(text, edit.start, anchors)
        if found and b0 < found[-1][1]:
            found[-1] = (found[-1][0], b1, found[-1][2], a1)
        else:
            found.append((b0, b1, b0 + (edit.after_start - edit.start), a1))
    return found
