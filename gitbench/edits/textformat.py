"""Plain-text edit formats: SEARCH/REPLACE blocks and unified diffs, parsed into the same
`ModelEditResponse` as the JSON form (issue 9).

Models return code more reliably as plain text than inside JSON, so the pipeline takes three
transports that differ only in the parse step: everything after it (preconditions, resolve,
inspector, atomic commit) is shared. Parsing is pure: text in, a response or a `schema_invalid`
Rejection naming the line and why out. `parse_document` is the entry point; `blocks.py` and
`udiff.py` hold the two grammars.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from gitbench.edits import blocks, udiff
from gitbench.edits.apply import parse_response
from gitbench.edits.reasons import ReasonCode
from gitbench.edits.results import Rejection, reject
from gitbench.edits.schema import ModelEditResponse
from gitbench.edits.textlines import FileEntry, ParseProblem, split_lines

TextFormat = Literal["blocks", "udiff"]
FORMATS = ("json", "blocks", "udiff", "auto")
SUMMARY_MAX = 200
_BLOCK_OPENER = re.compile(r"^<{5,9} (SEARCH|CREATE|WRITE|DELETE)>?\s*$", re.MULTILINE)
_DIFF_HEADER = re.compile(r"^(--- .*\r?\n\+\+\+ |diff --git )", re.MULTILINE)


def detect_format(text: str) -> Literal["json", "blocks", "udiff"]:
    """Guess the transport: a block marker line wins, then a `---`/`+++` header pair, else JSON."""
    if _BLOCK_OPENER.search(text):
        return "blocks"
    if _DIFF_HEADER.search(text):
        return "udiff"
    return "json"


def parse_document(raw: str | bytes, fmt: str) -> ModelEditResponse | Rejection | None:
    """Parse an edit document in `fmt` (json, blocks, udiff or auto). None: it is JSON, to be
    parsed by `parse_response` on the existing path."""
    if fmt not in FORMATS:
        raise AssertionError(f"unknown edit format {fmt!r}")
    if fmt == "json":
        return None
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError as exc:
        return reject(ReasonCode.SCHEMA_INVALID, f"the document is not UTF-8 (byte {exc.start})")
    chosen = detect_format(text) if fmt == "auto" else fmt
    if chosen == "blocks":
        return parse_text(text, "blocks")
    if chosen == "udiff":
        return parse_text(text, "udiff")
    return None


def parse_text(text: str, fmt: TextFormat) -> ModelEditResponse | Rejection:
    """Parse a blocks or udiff document (already decoded)."""
    parser = blocks.parse_entries if fmt == "blocks" else udiff.parse_entries
    try:
        entries, prose = parser(split_lines(text))
    except ParseProblem as problem:
        return line_rejection(problem, fmt)
    if not entries:
        why = "no SEARCH/REPLACE block" if fmt == "blocks" else "no file diff (--- / +++ header)"
        return reject(ReasonCode.SCHEMA_INVALID, f"{fmt}: {why} found", diagnostics=[])
    return build_response(entries, prose)


def line_rejection(problem: ParseProblem, fmt: str) -> Rejection:
    """A `schema_invalid` (or `invalid_path`) Rejection naming the line and why."""
    diagnostic = {"format": fmt, "line": problem.line, "msg": problem.why}
    reason = ReasonCode.INVALID_PATH if problem.path is not None else ReasonCode.SCHEMA_INVALID
    return reject(reason, str(problem), path=problem.path, diagnostics=[diagnostic])


def summary_of(prose: Sequence[str], entries: Sequence[FileEntry]) -> str:
    """The commit subject: the first prose line, else "Apply N edit(s)"."""
    for line in prose:
        text = line.strip().lstrip("#").strip()
        if any(c.isalnum() for c in text):  # not a rule like --- or ====
            return text if len(text) <= SUMMARY_MAX else text[: SUMMARY_MAX - 3] + "..."
    count = sum(max(1, len(e.ops)) for e in entries)
    return f"Apply {count} edit(s)"


def build_response(
    entries: Sequence[FileEntry], prose: Sequence[str]
) -> ModelEditResponse | Rejection:
    """Validate the gathered entries through the same schema as the JSON form."""
    document = {
        "summary": summary_of(prose, entries),
        "files": [{"path": e.path, "action": e.action, "ops": e.ops} for e in entries],
    }
    return parse_response(document)
