"""Steps 2-3 of the apply algorithm: each op becomes regions of the original view, or a rejection.

Every op is resolved against the *original* view, never against the result of an earlier op, so
the order of ops does not matter and two ops touching the same text are refused
(`overlapping_ops`) instead of silently composed. Matching is exact: a failed match may carry a
hint (`whitespace_differs`, `unicode_normalization_differs`) but is never applied on one.

`replace_lines` follows `view.split("\\n")`: the result's lines are
`lines[:start-1] + new_lines + lines[end:]`, where `new_lines` is `new_text.split("\\n")`, or no
line at all when `new_text` is "" (so "" deletes the lines instead of leaving a blank one).
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

from gitbench.edits.codec import Splice, View, normalize_inserted
from gitbench.edits.linediff import changed_spans
from gitbench.edits.reasons import ReasonCode
from gitbench.edits.results import Diagnostic, Rejection, reject
from gitbench.edits.schema import FileOp, ReplaceLinesOp, ReplaceOp, WriteOp
from gitbench.edits.settings import EditSettings

_BLANKS = re.compile(r"[ \t]+")
_AMBIGUOUS_LINES_SHOWN = 5


@dataclass(frozen=True, slots=True)
class Region(Splice):
    """A splice produced by op number `op_index` of the file's ops."""

    op_index: int = 0


@dataclass(frozen=True)
class Resolved:
    """The regions of a file's ops (sorted, non-overlapping) and notes about normalizations."""

    regions: list[Region]
    notes: list[Diagnostic] = field(default_factory=list)
    whole: str | None = None  # the new view, when a write (the file's only op) gave it whole


@dataclass
class _Lines:
    text: str

    @cached_property
    def starts(self) -> list[int]:
        lengths = (len(line) + 1 for line in self.text.split("\n")[:-1])
        return list(itertools.accumulate(lengths, initial=0))

    def start_of(self, line: int) -> int:
        return self.starts[line - 1] if line <= len(self.starts) else len(self.text)

    def end_of(self, line: int) -> int:
        return self.starts[line] - 1 if line < len(self.starts) else len(self.text)


def resolve(
    view: View, ops: Sequence[FileOp], *, path: str, settings: EditSettings
) -> Resolved | Rejection:
    """Resolve every op against `view`, then refuse overlapping regions."""
    lines = _Lines(view.text)
    regions: list[Region] = []
    notes: list[Diagnostic] = []
    whole: str | None = None
    for index, op in enumerate(ops):
        if isinstance(op, ReplaceOp):
            found = _resolve_replace(view, op, index, path)
        elif isinstance(op, ReplaceLinesOp):
            found = _resolve_lines(view, op, index, path, lines=lines, settings=settings)
        else:
            whole, found = _resolve_write(view, op, index, settings, notes)
        if isinstance(found, Rejection):
            return found
        regions.extend(found)
    regions.sort(key=lambda region: (region.start, region.end))
    overlap = _overlap(regions, path)
    if overlap is not None:
        return overlap
    return Resolved(regions, notes, whole if len(ops) == 1 else None)


def line_of(text: str, pos: int) -> int:
    """The 1-based line number of offset `pos`."""
    return text.count("\n", 0, pos) + 1


def _positions(text: str, needle: str, limit: int) -> list[int]:
    found: list[int] = []
    pos = text.find(needle)
    while pos >= 0:
        found.append(pos)
        if len(found) == limit:
            break
        pos = text.find(needle, pos + len(needle))
    return found


def _count(text: str, needle: str) -> tuple[int, int]:
    """Non-overlapping occurrences, like the spec's str.find loop, in one pass when unique;
    and where the first one is (-1 if none)."""
    first = text.find(needle)
    if first < 0:
        return 0, first
    second = text.find(needle, first + len(needle))
    return (1 if second < 0 else 2 + text.count(needle, second + len(needle))), first


def _resolve_replace(view: View, op: ReplaceOp, index: int, path: str) -> list[Region] | Rejection:
    text = view.text
    count, first = _count(text, op.search)
    if count == 0:
        return _no_match(view, op.search, index, path)
    diagnostic: Diagnostic = {"op_index": index, "count": count}
    if op.expect_count is not None and count != op.expect_count:
        diagnostic["expected"] = op.expect_count
        detail = f"replace_all expected {op.expect_count} matches, found {count}"
        return reject(
            ReasonCode.COUNT_MISMATCH, detail, path=path, op_index=index, diagnostics=[diagnostic]
        )
    if op.occurrence is not None and op.occurrence > count:
        diagnostic["occurrence"] = op.occurrence
        detail = f"occurrence {op.occurrence} requested, the search text occurs {count} times"
        return reject(
            ReasonCode.NO_MATCH, detail, path=path, op_index=index, diagnostics=[diagnostic]
        )
    if count > 1 and op.occurrence is None and not op.replace_all:
        shown = _positions(text, op.search, _AMBIGUOUS_LINES_SHOWN)
        diagnostic["lines"] = [line_of(text, pos) for pos in shown]
        detail = f"the search text occurs {count} times; give occurrence or replace_all"
        return reject(
            ReasonCode.AMBIGUOUS_MATCH, detail, path=path, op_index=index, diagnostics=[diagnostic]
        )
    if count == 1:  # the usual unique search: no third scan to find it again (#6)
        positions = [first]
    else:
        wanted = op.occurrence or count
        positions = _positions(text, op.search, wanted)[-1 if op.occurrence else 0 :]
    replacement = normalize_inserted(op.replace, view)
    return [Region(pos, pos + len(op.search), replacement, index) for pos in positions]


def _no_match(view: View, search: str, index: int, path: str) -> Rejection:
    if view.eol == "mixed" and "\n" in search and _lf(search) in _lf(view.text):
        detail = "the search text matches only if CRLF and LF line breaks are treated alike"
        diagnostics: list[Diagnostic] = [{"op_index": index}]
        return reject(
            ReasonCode.EOL_AMBIGUOUS, detail, path=path, op_index=index, diagnostics=diagnostics
        )
    hint, line = _hint(view.text, search)
    diagnostic: Diagnostic = {"op_index": index, "count": 0, "hint": hint, "line": line}
    detail = "the search text is not in the file" + (f" (hint: {hint})" if hint else "")
    return reject(ReasonCode.NO_MATCH, detail, path=path, op_index=index, diagnostics=[diagnostic])


def _lf(text: str) -> str:
    return text.replace("\r\n", "\n")


def _blank_insensitive(text: str) -> str:
    return "\n".join(_BLANKS.sub(" ", line).strip(" ") for line in text.split("\n"))


def _hint(text: str, search: str) -> tuple[str | None, int | None]:
    loose_text, loose_search = _blank_insensitive(text), _blank_insensitive(search)
    if loose_search and loose_text.count(loose_search) == 1:
        return "whitespace_differs", line_of(loose_text, loose_text.find(loose_search))
    nfc_text = unicodedata.normalize("NFC", text)
    pos = nfc_text.find(unicodedata.normalize("NFC", search))
    if pos >= 0:
        return "unicode_normalization_differs", line_of(nfc_text, pos)
    return None, None


def _resolve_lines(
    view: View, op: ReplaceLinesOp, index: int, path: str, *, lines: _Lines, settings: EditSettings
) -> list[Region] | Rejection:
    count = len(lines.starts)
    if op.end_line < op.start_line - 1 or op.end_line > count:
        diagnostic: Diagnostic = {"op_index": index, "start_line": op.start_line}
        diagnostic |= {"end_line": op.end_line, "line_count": count}
        detail = f"lines {op.start_line}-{op.end_line} are outside the file's {count} lines"
        return reject(
            ReasonCode.LINE_OUT_OF_RANGE,
            detail,
            path=path,
            op_index=index,
            diagnostics=[diagnostic],
        )
    start = lines.start_of(op.start_line)
    end = lines.end_of(op.end_line) if op.end_line >= op.start_line else start
    actual = view.text[start:end]
    if actual != op.old_text:
        return _old_text_mismatch(op, actual, index, path, settings)
    return _line_regions(view, op, index, lines, count)


def _line_regions(
    view: View, op: ReplaceLinesOp, index: int, lines: _Lines, count: int
) -> list[Region]:
    text, new = view.text, normalize_inserted(op.new_text, view)
    start = lines.start_of(op.start_line)
    if op.end_line < op.start_line:  # pure insertion: new lines go before start_line
        if not new:
            return []
        if op.start_line <= count:
            return [Region(start, start, new + "\n", index)]
        return [Region(len(text), len(text), "\n" + new, index)]
    if new:
        return [Region(start, lines.end_of(op.end_line), new, index)]
    # Deleting whole lines also removes one line break, so no blank line is left behind.
    if op.end_line < count:
        return [Region(start, lines.start_of(op.end_line + 1), "", index)]
    return [Region(max(start - 1, 0), len(text), "", index)]


def _old_text_mismatch(
    op: ReplaceLinesOp, actual: str, index: int, path: str, settings: EditSettings
) -> Rejection:
    column = next(
        (i for i, (a, b) in enumerate(zip(op.old_text, actual, strict=False)) if a != b),
        min(len(op.old_text), len(actual)),
    )
    line = op.start_line + op.old_text.count("\n", 0, column)
    diagnostic: Diagnostic = {"op_index": index, "line": line}
    diagnostic["column"] = column - (op.old_text.rfind("\n", 0, column) + 1) + 1
    if settings.excerpts:  # both sides quote the file, so only on opt-in (invariant 8)
        diagnostic["expected"] = op.old_text[: settings.excerpt_chars]
        diagnostic["actual"] = actual[: settings.excerpt_chars]
    detail = f"old_text differs from the file at line {line}, column {diagnostic['column']}"
    return reject(
        ReasonCode.OLD_TEXT_MISMATCH, detail, path=path, op_index=index, diagnostics=[diagnostic]
    )


def write_text(view: View, content: str, *, keep_final_newline: bool) -> tuple[str, str | None]:
    """The view text a write produces, and "added"/"removed" if the final line break was kept."""
    new = normalize_inserted(content, view)
    if not keep_final_newline or not view.text:
        return new, None
    had = view.text.endswith("\n")
    if had and new and not new.endswith("\n"):
        eol = "\r\n" if view.text.endswith("\r\n") else "\n"
        return new + eol, "added"
    if not had and new.endswith("\n"):
        return new.rstrip("\r\n"), "removed"
    return new, None


def _resolve_write(
    view: View, op: WriteOp, index: int, settings: EditSettings, notes: list[Diagnostic]
) -> tuple[str, list[Region]]:
    new, kept = write_text(view, op.content, keep_final_newline=settings.write_keeps_final_newline)
    if kept is not None:
        notes.append({"check": "final_newline", "op_index": index, "action": kept})
    # Only the lines the write changes become regions: the inspector then looks at those,
    # not at every line of the file (#6: 1.6 s of checks for a 10 MB write of 0.1 % lines).
    spans = changed_spans(view.text, new)
    return new, [Region(b0, b1, new[a0:a1], index) for b0, b1, a0, a1 in spans]


def _overlap(regions: Sequence[Region], path: str) -> Rejection | None:
    for prev, cur in itertools.pairwise(regions):
        both_points = prev.start == prev.end == cur.start == cur.end
        if cur.start < prev.end or both_points:
            diagnostic: Diagnostic = {"op_indexes": [prev.op_index, cur.op_index]}
            detail = f"ops {prev.op_index} and {cur.op_index} touch the same text"
            return reject(
                ReasonCode.OVERLAPPING_OPS,
                detail,
                path=path,
                op_index=cur.op_index,
                diagnostics=[diagnostic],
            )
    return None
