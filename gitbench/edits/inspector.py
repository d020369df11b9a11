"""Inspector v2: checks the in-memory result of a file's ops before anything is written.

`inspect(change, settings, checks)` runs each enabled check and returns a Rejection whose
`diagnostics` list every finding (`{check, path, op_index, line, excerpt, counts}`), or None.
The reported `reason` is the first finding in `CHECKS` order: the exact-repetition checks come
first so an exact copy reads as `duplicate_block`, not as a 100 %-similar near-duplicate.

The inspector is fail-closed: a check that raises rejects the proposal with `inspector_error`.
Checks are plain functions `(Change, EditSettings) -> list[Diagnostic]`; callers (benchmarks,
tests) may pass their own tuple of `(ReasonCode, check)` pairs.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence

from gitbench.edits.change import Change, Edit, char_at, finding, is_word
from gitbench.edits.duplicates import duplicate_block, duplicate_paragraph, near_duplicate_block
from gitbench.edits.paragraphs import SEPARATOR
from gitbench.edits.reasons import ReasonCode
from gitbench.edits.results import Diagnostic, Rejection, reject
from gitbench.edits.settings import EditSettings

Check = Callable[[Change, EditSettings], list[Diagnostic]]

_TOKEN = re.compile(r"\w+")
_TOKEN_CHUNK = 65536
_ELISION = re.compile(
    r"(?i)^\s*(?:#|//|/\*|<!--|\*)?\s*\.{3}.*\b(rest|remaining|unchanged|existing|omitted)\b"
)


def seam_join(change: Change, settings: EditSettings) -> list[Diagnostic]:
    """An edit that glues two words together ("beta " -> "BETA" before "gamma")."""
    found = []
    for edit in change.edits:
        seam = None if edit.is_write else _joined_seam(change.before, edit)
        if seam is not None:
            pos = edit.after_start if seam == "left" else edit.after_end
            found.append(
                finding(
                    change,
                    settings,
                    ReasonCode.SEAM_JOIN,
                    edit.op_index,
                    pos=pos,
                    excerpt=edit.text,
                    counts={},
                    seam=seam,
                )
            )
    return found


def _joined_seam(view: str, edit: Edit) -> str | None:
    start, end, text = edit.start, edit.end, edit.text
    if start > 0:
        left = view[start - 1]
        old = char_at(view, start)
        new = text[0] if text else char_at(view, end)
        if is_word(left) and is_word(new) and not is_word(old):
            return "left"
    if end < len(view):
        right = view[end]
        old = view[end - 1] if end > start else char_at(view, start - 1)
        new = text[-1] if text else char_at(view, start - 1)
        if is_word(new) and is_word(right) and not is_word(old):
            return "right"
    return None


def mid_word_block(change: Change, settings: EditSettings) -> list[Diagnostic]:
    """A multi-line block whose region starts or ends strictly inside a word ("th" + block + "ing")."""
    found = []
    for edit in change.edits:
        if edit.is_write or "\n" not in edit.text or _keeps_breaks(change, edit, settings):
            continue
        inside = [b for b in (edit.start, edit.end) if _inside_word(change.before, b)]
        if inside:
            found.append(
                finding(
                    change,
                    settings,
                    ReasonCode.MID_WORD_BLOCK,
                    edit.op_index,
                    pos=edit.after_start,
                    excerpt=edit.text,
                    counts={"boundaries": len(inside)},
                )
            )
    return found


def _keeps_breaks(change: Change, edit: Edit, settings: EditSettings) -> bool:
    # The spec's rule fires on any replacement containing a line break, so an anchor that
    # spans a line break and starts mid-word trips it although it inserts no block (84 % of
    # benign one-word edits with arbitrary anchors, measured). Opt-in until the benchmark rules.
    added = edit.text.count("\n") - change.before.count("\n", edit.start, edit.end)
    return settings.mid_word_added_breaks_only and added <= 0


def _inside_word(view: str, boundary: int) -> bool:
    return is_word(char_at(view, boundary - 1)) and is_word(char_at(view, boundary))


def _large_writes(change: Change) -> dict[int, list[Edit]]:
    """The regions of each write op (a write is one region per changed span) by op index."""
    found: dict[int, list[Edit]] = {}
    for edit in change.edits:
        if edit.is_write and not edit.allows_large_change:
            found.setdefault(edit.op_index, []).append(edit)
    return found


def _tokens(text: str, start: int = 0, end: int | None = None) -> int:
    end = len(text) if end is None else end
    return len(_TOKEN.findall(text, start, end))


def _lost_tokens(change: Change, edits: list[Edit]) -> int:
    """Tokens before minus tokens after: the rest of the file is the same in both views.

    Each region is widened to whole lines, so no `\\w+` token crosses its ends.
    """
    lost = 0
    for edit in edits:
        b0 = change.before.rfind("\n", 0, edit.start) + 1
        b1 = _line_end(change.before, edit.end)
        a0, a1 = edit.after_start - (edit.start - b0), edit.after_end + (b1 - edit.end)
        lost += _tokens(change.before, b0, b1) - _tokens(change.after, a0, a1)
    return lost


def _line_end(text: str, pos: int) -> int:
    if pos > 0 and text[pos - 1] == "\n":
        return pos
    newline = text.find("\n", pos)
    return len(text) if newline < 0 else newline


def _tokens_beyond(text: str, floor: float) -> int:
    """`text`'s token count, or a partial count above `floor` once it is clear there are more.

    A write that loses 3 tokens cannot drift 5 % unless the file has 60 tokens or fewer, so
    counting stops there instead of reading 10 MB (#6).
    """
    count, pos = 0, 0
    while pos < len(text):
        newline = text.find("\n", min(len(text), pos + _TOKEN_CHUNK))
        stop = len(text) if newline < 0 else newline  # a line break: no token crosses it
        count += _tokens(text, pos, stop)
        if count > floor:
            return count
        pos = stop + 1
    return count


def token_drift(change: Change, settings: EditSettings) -> list[Diagnostic]:
    """A write that loses `token_drift` or more of the file's `\\w+` tokens."""
    found = []
    for op_index, edits in _large_writes(change).items():
        lost = _lost_tokens(change, edits)
        if lost <= 0:
            continue
        before = _tokens_beyond(change.before, lost / settings.token_drift)
        drift = lost / max(1, before)
        if drift >= settings.token_drift:
            counts = {"tokens_before": before, "tokens_after": before - lost}
            found.append(
                finding(
                    change,
                    settings,
                    ReasonCode.TOKEN_DRIFT,
                    op_index,
                    pos=None,
                    excerpt=None,
                    counts=counts,
                    drift=round(drift, 4),
                )
            )
    return found


def boundary_dropped(change: Change, settings: EditSettings) -> list[Diagnostic]:
    """A write that removes every blank-line paragraph separator of a file that had several."""
    found = []
    for op_index in _large_writes(change):
        # The cheap test first: almost every write keeps a separator, found near the start.
        if SEPARATOR.search(change.after) is not None:
            continue
        needed = settings.boundary_min_separators
        before = sum(1 for _ in itertools.islice(SEPARATOR.finditer(change.before), needed))
        if before >= needed:
            counts = {"separators_before": before, "separators_after": 0}
            found.append(
                finding(
                    change,
                    settings,
                    ReasonCode.BOUNDARY_DROPPED,
                    op_index,
                    pos=None,
                    excerpt=None,
                    counts=counts,
                )
            )
    return found


def elision_marker(change: Change, settings: EditSettings) -> list[Diagnostic]:
    """A new line like `# ... rest of file unchanged` in a write or a large replace."""
    found = []
    before_lines: set[str] | None = None
    for edit in change.edits:
        lines = edit.text.split("\n")
        if not edit.is_write and len(lines) <= settings.elision_min_lines:
            continue
        offset = 0
        for line in lines:
            if _ELISION.match(line):
                if before_lines is None:
                    before_lines = {old.strip() for old in change.before.split("\n")}
                if line.strip() not in before_lines:
                    found.append(
                        finding(
                            change,
                            settings,
                            ReasonCode.ELISION_MARKER,
                            edit.op_index,
                            pos=edit.after_start + offset,
                            excerpt=line,
                            counts={},
                        )
                    )
                    break
            offset += len(line) + 1
    return found


CHECKS: tuple[tuple[ReasonCode, Check], ...] = (
    (ReasonCode.DUPLICATE_BLOCK, duplicate_block),
    (ReasonCode.DUPLICATE_PARAGRAPH, duplicate_paragraph),
    (ReasonCode.NEAR_DUPLICATE_BLOCK, near_duplicate_block),
    (ReasonCode.SEAM_JOIN, seam_join),
    (ReasonCode.MID_WORD_BLOCK, mid_word_block),
    (ReasonCode.TOKEN_DRIFT, token_drift),
    (ReasonCode.BOUNDARY_DROPPED, boundary_dropped),
    (ReasonCode.ELISION_MARKER, elision_marker),
)


def inspect(
    change: Change, settings: EditSettings, checks: Sequence[tuple[ReasonCode, Check]] = CHECKS
) -> Rejection | None:
    """Run the enabled checks on one file; a Rejection lists every finding."""
    findings: list[Diagnostic] = []
    for reason, check in checks:
        if not settings.is_enabled(reason):
            continue
        try:
            findings.extend(check(change, settings))
        # Fail-closed (spec: Inspector v2): a crashing check must reject the edit, never let it
        # through unchecked. The only broad except below the CLI; the check's name and the
        # exception type are reported (not its message, which could quote file text).
        except Exception as exc:  # noqa: BLE001
            detail = f"inspector check {reason.value} raised {type(exc).__name__}"
            diagnostics = [{"check": reason.value, "error": type(exc).__name__}]
            return reject(
                ReasonCode.INSPECTOR_ERROR, detail, path=change.path, diagnostics=diagnostics
            )
    if not findings:
        return None
    first = findings[0]
    checks_failed = sorted({f["check"] for f in findings})
    detail = f"inspector refused the edit: {', '.join(checks_failed)}"
    return reject(
        ReasonCode(first["check"]),
        detail,
        path=change.path,
        op_index=first["op_index"],
        diagnostics=findings,
    )
