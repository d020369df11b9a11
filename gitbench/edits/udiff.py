"""Unified diffs as an edit format, applied exactly (docs/edits.md, "Text formats").

Each `--- old` / `+++ new` pair starts a file; `a/` and `b/` prefixes are git's and dropped;
`/dev/null` on the old side creates, on the new side deletes. A hunk with line numbers
(`@@ -12,3 +12,4 @@`) becomes a `replace_lines` op: its old lines must be exactly the file's lines
at that position (`old_text_mismatch` otherwise, never a fuzzy or shifted match). A hunk without
numbers (`@@ ... @@`, as models write them) becomes an exact `replace` op, so its old lines must
occur exactly once. Numbered hunks must hold exactly the lines their header declares.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from gitbench.edits.diffnames import header_name
from gitbench.edits.textlines import FENCE, FileEntry, ParseProblem, checked_path, entry_for

HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
NO_EOL = "\\"  # "\ No newline at end of file"
DEV_NULL = "/dev/null"
_GIT_EXTENDED = (
    "index ",
    "new file mode ",
    "deleted file mode ",
    "old mode ",
    "new mode ",
    "similarity index ",
    "dissimilarity index ",
)
_REFUSED = ("rename from ", "rename to ", "copy from ", "copy to ", "GIT binary patch")
_SIGNATURE = ("-- ", "--", "---")  # a mail signature or a separator rule after a diff


@dataclass
class Hunk:
    """One hunk: header line, numbers (None when unnumbered) and its two sides."""

    line: int
    old_start: int | None = None
    old_count: int = 0
    new_count: int = 0
    old: list[str] = field(default_factory=list)
    new: list[str] = field(default_factory=list)
    old_eol: bool = True  # False: "\ No newline at end of file" after the last old line
    new_eol: bool = True
    last: str = ""  # which side the previous line was on: old, new or both


def file_paths(old: str, new: str, line: int) -> tuple[str | None, str | None, bool]:
    """(old path, new path, prefixed) with git's a/ b/ prefixes dropped; None for /dev/null."""
    if old == DEV_NULL and new == DEV_NULL:
        raise ParseProblem(line, "both sides of the diff are /dev/null")
    old_path = None if old == DEV_NULL else old
    new_path = None if new == DEV_NULL else new
    prefixed = (old_path is None or old_path.startswith("a/")) and (
        new_path is None or new_path.startswith("b/")
    )
    if prefixed:
        old_path = old_path[2:] if old_path else None
        new_path = new_path[2:] if new_path else None
    return old_path, new_path, prefixed


def _int(text: str | None) -> int:
    return 1 if text is None else int(text)


def read_hunk(lines: Sequence[str], start: int) -> tuple[Hunk, int]:
    """The hunk whose header is at index `start`; returns it and the index after it."""
    numbered = HUNK.match(lines[start])
    hunk = Hunk(line=start + 1)
    if numbered is None:
        return _read_loose(lines, start + 1, hunk)
    hunk.old_start, hunk.old_count = int(numbered.group(1)), _int(numbered.group(2))
    hunk.new_count = _int(numbered.group(4))
    index = start + 1
    while len(hunk.old) < hunk.old_count or len(hunk.new) < hunk.new_count:
        if index >= len(lines) or not _hunk_line(hunk, lines[index]):
            found = f"{len(hunk.old)} old and {len(hunk.new)} new"
            why = (
                f"the hunk of line {start + 1} declares {hunk.old_count} old and "
                f"{hunk.new_count} new lines but ends after {found}"
            )
            raise ParseProblem(index + 1 if index < len(lines) else start + 1, why)
        index += 1
    if (len(hunk.old), len(hunk.new)) != (hunk.old_count, hunk.new_count):
        why = (
            f"the hunk of line {start + 1} declares {hunk.old_count} old and {hunk.new_count} "
            f"new lines but has {len(hunk.old)} old and {len(hunk.new)} new"
        )
        raise ParseProblem(index, why)
    if index < len(lines) and lines[index].startswith(NO_EOL):
        _hunk_line(hunk, lines[index])
        index += 1
    _check_overrun(lines, index, hunk)
    return hunk, index


def _check_overrun(lines: Sequence[str], index: int, hunk: Hunk) -> None:
    if index >= len(lines):
        return
    line = lines[index]
    header = (
        line.startswith("--- ") and index + 1 < len(lines) and lines[index + 1].startswith("+++ ")
    )
    if line[:1] in ("+", "-", NO_EOL) and not header and line not in _SIGNATURE:
        why = (
            f"the hunk of line {hunk.line} declares {hunk.old_count} old and {hunk.new_count} "
            "new lines, but more hunk lines follow"
        )
        raise ParseProblem(index + 1, why)


def _read_loose(lines: Sequence[str], index: int, hunk: Hunk) -> tuple[Hunk, int]:
    while index < len(lines):
        line = lines[index]
        if line in ("", "\r") and not _continues(lines, index):
            break
        if line.startswith(("@@", "--- ", "+++ ")) or not _hunk_line(hunk, line):
            break
        index += 1
    return hunk, index


def _continues(lines: Sequence[str], index: int) -> bool:
    """An empty line inside a loose hunk is an empty context line if hunk lines follow it."""
    for line in lines[index + 1 :]:
        if line == "":
            continue
        return line[:1] in (" ", "+", "-") and not line.startswith(("--- ", "+++ "))
    return False


def _hunk_line(hunk: Hunk, line: str) -> bool:
    mark, text = line[:1], line[1:]
    if line in ("", "\r"):  # an empty context line whose leading space was stripped
        mark, text = " ", line
    if mark == " ":
        hunk.old.append(text)
        hunk.new.append(text)
        hunk.last = "both"
    elif mark == "-":
        hunk.old.append(text)
        hunk.last = "old"
    elif mark == "+":
        hunk.new.append(text)
        hunk.last = "new"
    elif mark == NO_EOL and hunk.last:
        hunk.old_eol = hunk.old_eol and hunk.last == "new"
        hunk.new_eol = hunk.new_eol and hunk.last == "old"
    else:
        return False
    return True


def _chunk(lines: list[str], eol: bool) -> str:
    text = "".join(line + "\n" for line in lines)
    return text if eol or not text else text[:-1]


def hunk_op(hunk: Hunk) -> dict[str, Any]:
    """The exact op of one hunk of an edited file."""
    old = _chunk(hunk.old, hunk.old_eol)
    new = _chunk(hunk.new, hunk.new_eol)
    if old == new:
        raise ParseProblem(hunk.line, "the hunk changes nothing")
    if hunk.old_start is None:
        if not old:
            why = "a hunk without line numbers needs a context or removed line to anchor it"
            raise ParseProblem(hunk.line, why)
        return {"op": "replace", "search": old, "replace": new}
    return _lines_op(hunk, old, new)


def _lines_op(hunk: Hunk, old: str, new: str) -> dict[str, Any]:
    assert hunk.old_start is not None
    start = hunk.old_start if hunk.old_count else hunk.old_start + 1
    end = start + hunk.old_count - 1
    if not old:  # a pure insertion before `start`
        return _lines(start, end, "", new[:-1] if new.endswith("\n") else new)
    if not old.endswith("\n"):  # the old side ends the file without a line break
        return _lines(start, end, old, new)
    if not new:
        return _lines(start, end, old[:-1], "")
    if new == "\n":
        # replace_lines cannot say "one empty line" ("" deletes): use the exact text instead.
        return {"op": "replace", "search": old, "replace": new}
    if new.endswith("\n"):
        return _lines(start, end, old[:-1], new[:-1])
    # The new side drops the final line break: take in the empty line after the last one.
    return _lines(start, end + 1, old, new)


def _lines(start: int, end: int, old: str, new: str) -> dict[str, Any]:
    return {
        "op": "replace_lines",
        "start_line": start,
        "end_line": end,
        "old_text": old,
        "new_text": new,
    }


@dataclass
class _FileDiff:
    line: int
    old: str | None
    new: str | None
    prefixed: bool = False
    git: bool = False
    hunks: list[Hunk] = field(default_factory=list)


def _add(entries: dict[str, FileEntry], diff: _FileDiff) -> None:
    # A plain `diff old new` of two files edits the old one, as patch(1) does; in git's form
    # different names are a rename, which the edit schema cannot express.
    renamed = diff.old is not None and diff.new is not None and diff.old != diff.new
    if renamed and (diff.git or diff.prefixed):
        why = f"--- {diff.old} and +++ {diff.new} name different files; renames are not supported"
        raise ParseProblem(diff.line, why)
    path = diff.new if diff.old is None else diff.old
    assert path is not None
    path = checked_path(path, diff.line)
    if diff.old is None:
        entry = entry_for(entries, path, diff.line, exclusive=True)
        entry.action = "create"
        entry.ops.append({"op": "write", "content": _created(diff)})
    elif diff.new is None:
        _check_deleted(diff)
        entry_for(entries, path, diff.line, exclusive=True).action = "delete"
    else:
        if not diff.hunks:
            raise ParseProblem(diff.line, f"the diff of {path} has no hunk")
        _strip_crlf(diff.hunks)
        entry = entry_for(entries, path, diff.line, exclusive=False)
        entry.ops.extend(hunk_op(h) for h in diff.hunks)


def _strip_crlf(hunks: list[Hunk]) -> None:
    """A diff of a CRLF file carries "\r" on every line; the file's view (what ops address) has
    LF, so drop them. A diff where only some lines have "\r" is of a mixed file: kept."""
    ended = [
        line
        for h in hunks
        for side, eol in ((h.old, h.old_eol), (h.new, h.new_eol))
        for line in (side if eol else side[:-1])
    ]
    if not ended or not all(line.endswith("\r") for line in ended):
        return
    for hunk in hunks:
        hunk.old = [x.removesuffix("\r") for x in hunk.old]
        hunk.new = [x.removesuffix("\r") for x in hunk.new]


def _created(diff: _FileDiff) -> str:
    if len(diff.hunks) > 1:
        raise ParseProblem(diff.hunks[1].line, "a new file (--- /dev/null) takes one hunk")
    if not diff.hunks:
        return ""
    hunk = diff.hunks[0]
    if hunk.old or (hunk.old_start is not None and (hunk.old_start, hunk.old_count) != (0, 0)):
        why = "a new file (--- /dev/null) has no old lines: its hunk must be @@ -0,0 +1,N @@"
        raise ParseProblem(hunk.line, why)
    return _chunk(hunk.new, hunk.new_eol)


def _check_deleted(diff: _FileDiff) -> None:
    for hunk in diff.hunks:
        if hunk.new:
            why = "a deleted file (+++ /dev/null) has no new lines: its hunk may only remove"
            raise ParseProblem(hunk.line, why)


class _Reader:
    """Walks a diff document: git headers, file headers, hunks, and prose around them."""

    def __init__(self, lines: Sequence[str]) -> None:
        self.lines = lines
        self.entries: dict[str, FileEntry] = {}
        self.prose: list[str] = []
        self.current: _FileDiff | None = None
        self.git: tuple[int, str] | None = None  # a `diff --git` header awaiting its --- line
        self.git_action: str | None = None

    def run(self) -> tuple[list[FileEntry], list[str]]:
        index = 0
        while index < len(self.lines):
            index = self.step(index)
        self.close()
        return list(self.entries.values()), self.prose

    def step(self, index: int) -> int:
        line = self.lines[index]
        nxt = self.lines[index + 1] if index + 1 < len(self.lines) else ""
        if line.startswith("--- ") and nxt.startswith("+++ "):
            git = self.git is not None
            self.git = None  # its --- / +++ lines name the file: no empty-file entry
            self.close()
            old = header_name(line[4:], index + 1)
            new = header_name(nxt[4:], index + 2)
            self.current = _FileDiff(index + 1, *file_paths(old, new, index + 1), git=git)
            for path in (self.current.old, self.current.new):
                if path is not None:
                    checked_path(path, index + 1)
            return index + 2
        if line.startswith("@@"):
            if self.current is None:
                raise ParseProblem(index + 1, "a hunk before any --- / +++ file header")
            hunk, after = read_hunk(self.lines, index)
            self.current.hunks.append(hunk)
            return after
        self.other(index, line)
        return index + 1

    def other(self, index: int, line: str) -> None:
        if line.startswith("diff --git "):
            self.close()
            self.git, self.git_action = (index + 1, line), None
        elif line.startswith(_REFUSED) or line.startswith("Binary files "):
            refused = next((r for r in _REFUSED if line.startswith(r)), "Binary files")
            raise ParseProblem(index + 1, f"not supported in an edit: {refused.strip()}")
        elif self.git is not None and line.startswith(_GIT_EXTENDED):
            if line.endswith((" 120000", " 160000")):  # a symlink or a submodule, not a file
                raise ParseProblem(index + 1, f"not a regular file ({line}): not supported")
            if line.startswith(("new file mode", "deleted file mode")):
                self.git_action = line.split(" ", maxsplit=1)[0]
        elif (
            line[:1] in ("+", "-", " ")
            and line not in _SIGNATURE
            and self.current
            and self.current.hunks
        ):
            raise ParseProblem(index + 1, "a hunk line outside a hunk (after the hunk ended)")
        else:
            self.close()
            if line.strip() and not FENCE.match(line):
                self.prose.append(line)

    def close(self) -> None:
        if self.current is not None:
            _add(self.entries, self.current)
        elif self.git is not None and self.git_action is not None:
            self._git_only(*self.git)
        self.current, self.git, self.git_action = None, None, None

    def _git_only(self, line: int, header: str) -> None:
        # An empty new or deleted file has a `diff --git` header and no --- / +++ lines.
        names = header[len("diff --git ") :].split(" ")
        if len(names) != 2 or not names[0].startswith("a/") or names[0][2:] != names[1][2:]:
            raise ParseProblem(line, "cannot read the file name of this diff --git header")
        old = DEV_NULL if self.git_action == "new" else names[0]
        new = DEV_NULL if self.git_action == "deleted" else names[1]
        _add(self.entries, _FileDiff(line, *file_paths(old, new, line)))


def parse_entries(lines: Sequence[str]) -> tuple[list[FileEntry], list[str]]:
    """The file entries and the prose lines of a unified diff document."""
    return _Reader(lines).run()
