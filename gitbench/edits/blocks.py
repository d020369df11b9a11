"""SEARCH/REPLACE blocks: the plain-text edit format (docs/edits.md, "Text formats").

```
notes.md
<<<<<<< SEARCH
beta
=======
BETA
>>>>>>> REPLACE
```

A block is preceded by its file path (the nearest non-blank line above it, fence lines skipped;
backticks, bold markers, a heading `#`, a `File:` label and a trailing colon are allowed around
it). A block with no path line of its own continues the file of the block before it when only
blank and fence lines separate them, or when both are inside the same fence. Explicit forms:
`<<<<<<< CREATE` / `>>>>>>> CREATE` (a new file), `<<<<<<< WRITE` / `>>>>>>> WRITE` (the whole
file) and `<<<<<<< DELETE` / `>>>>>>> DELETE` (nothing between). Each section is its lines, each
ending with a line break. Marker lines are recognised only at the start of a line; inside a
block every other line is content, fences included.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from gitbench.edits.schema import FileOp, ModelEditResponse, ReplaceOp, WriteOp
from gitbench.edits.textlines import FENCE, FileEntry, ParseProblem, checked_path, entry_for

OPENER = re.compile(r"^<{5,9} (SEARCH|CREATE|WRITE|DELETE)>?\s*$")
DIVIDER = re.compile(r"^={7}\s*$")
CLOSER = re.compile(r"^>{5,9} (REPLACE|CREATE|WRITE|DELETE)<?\s*$")
_CLOSES = {"SEARCH": "REPLACE", "CREATE": "CREATE", "WRITE": "WRITE", "DELETE": "DELETE"}
_WRAPPERS = ("**", "__", "`", "*", "'", '"')


@dataclass(frozen=True)
class Block:
    """One parsed block: its kind, 1-based opener line and sections."""

    kind: str
    line: int
    first: list[str]
    second: list[str]


class _Scanner:
    """Walks the lines once, tracking fences, the path candidate and prose."""

    def __init__(self) -> None:
        self.fence: str | None = None
        self.fence_id = 0
        self.prose: list[str] = []
        # The last non-blank, non-fence line since the previous block, and whether it was fenced.
        self.candidate: tuple[int, str, bool] | None = None
        self.last: tuple[str, int | None] | None = None  # path and fence of the previous block

    def here(self) -> int | None:
        return self.fence_id if self.fence is not None else None

    def fence_line(self, line: str) -> bool:
        found = FENCE.match(line)
        if found is None:
            return False
        marker, info = found.group(1), found.group(2).strip()
        if self.fence is None:
            self.fence, self.fence_id = marker, self.fence_id + 1
        elif marker[0] == self.fence[0] and len(marker) >= len(self.fence) and not info:
            self.fence = None
        return True

    def text_line(self, index: int, line: str) -> None:
        self.flush()
        self.candidate = (index, line, self.fence is not None)

    def flush(self) -> None:
        if self.candidate is not None and not self.candidate[2]:
            self.prose.append(self.candidate[1])
        self.candidate = None

    def path_for(self, opener: int) -> str:
        candidate, self.candidate = self.candidate, None
        path = clean_path(candidate[1]) if candidate is not None else None
        if candidate is not None and path is not None:
            return checked_path(path, candidate[0] + 1)
        # A block right after another (only blank and fence lines between), or after a
        # non-path line inside the same fence ("..."), continues the previous block's file.
        same_fence = self.last is not None and self.last[1] is not None
        if self.last is not None and (
            candidate is None or (same_fence and self.last[1] == self.here())
        ):
            return self.last[0]
        if candidate is not None:
            shown = candidate[1].strip()[:60]
            why = (
                f"the line above the block (line {candidate[0] + 1}: {shown!r}) is not a file path"
            )
            raise ParseProblem(opener, why)
        raise ParseProblem(opener, "no file path before this block; put it on the line above")


def clean_path(line: str) -> str | None:
    """The path written on `line` with the decorations models add, or None if it is prose."""
    text = re.sub(r"^#+\s*", "", line.strip()).rstrip(":").strip()
    text = re.sub(r"^(?:file|path|filename)\s*:\s*", "", text, flags=re.IGNORECASE)
    wrapped = False
    changed = True
    while changed:
        changed = False
        for wrapper in _WRAPPERS:
            size = len(wrapper)
            if len(text) > 2 * size and text.startswith(wrapper) and text.endswith(wrapper):
                text, wrapped, changed = text[size:-size].strip().rstrip(":"), True, True
    if not text or "```" in text or not any(c.isalnum() for c in text):
        return None
    if not wrapped and any(c.isspace() for c in text):
        return None
    return text


def _read_block(lines: Sequence[str], start: int, kind: str) -> tuple[Block, int]:
    """The block whose opener is at index `start`; returns it and the index after its closer."""
    first: list[str] = []
    second: list[str] = []
    section = first
    divided = False
    for index in range(start + 1, len(lines)):
        line = lines[index]
        closer = CLOSER.match(line)
        if closer is not None:
            _check_close(kind, closer.group(1), divided, start, index)
            return Block(kind, start + 1, first, second), index + 1
        if OPENER.match(line):
            raise ParseProblem(
                index + 1,
                f"a new block opens before the {kind} block of line {start + 1} is closed",
            )
        if kind == "SEARCH" and not divided and DIVIDER.match(line):
            divided, section = True, second
            continue
        section.append(line)
    expected = (
        "======= then >>>>>>> REPLACE"
        if kind == "SEARCH" and not divided
        else f">>>>>>> {_CLOSES[kind]}"
    )
    raise ParseProblem(start + 1, f"the {kind} block is not closed: expected {expected}")


def _check_close(kind: str, closed: str, divided: bool, start: int, index: int) -> None:
    if closed != _CLOSES[kind]:
        why = f"expected >>>>>>> {_CLOSES[kind]} to close the {kind} block of line {start + 1}, found >>>>>>> {closed}"
        raise ParseProblem(index + 1, why)
    if kind == "SEARCH" and not divided:
        raise ParseProblem(
            index + 1, f"expected ======= between SEARCH and REPLACE (block of line {start + 1})"
        )


def _section(lines: list[str]) -> str:
    return "".join(line + "\n" for line in lines)


def _add(entries: dict[str, FileEntry], path: str, block: Block) -> None:
    exclusive = block.kind != "SEARCH"
    entry = entry_for(entries, path, block.line, exclusive=exclusive)
    if block.kind == "DELETE":
        if any(line.strip() for line in block.first):
            raise ParseProblem(block.line, "a DELETE block takes no content")
        entry.action = "delete"
    elif block.kind in ("CREATE", "WRITE"):
        entry.action = "create" if block.kind == "CREATE" else "edit"
        entry.ops.append({"op": "write", "content": _section(block.first)})
    else:
        entry.ops.append(_replace(block))


def _replace(block: Block) -> dict[str, str]:
    search, replace = _section(block.first), _section(block.second)
    if not search:
        why = "empty SEARCH section: create a file with <<<<<<< CREATE, or replace it whole with <<<<<<< WRITE"
        raise ParseProblem(block.line, why)
    if search == replace:
        raise ParseProblem(
            block.line, "SEARCH and REPLACE are identical: the block changes nothing"
        )
    return {"op": "replace", "search": search, "replace": replace}


def parse_entries(lines: Sequence[str]) -> tuple[list[FileEntry], list[str]]:
    """The file entries and the prose lines (outside fences and blocks) of a blocks document."""
    scan = _Scanner()
    entries: dict[str, FileEntry] = {}
    index = 0
    while index < len(lines):
        line = lines[index]
        opener = OPENER.match(line)
        if opener is not None:
            path = scan.path_for(index + 1)
            block, index = _read_block(lines, index, opener.group(1))
            _add(entries, path, block)
            scan.last = (path, scan.here())
            continue
        if CLOSER.match(line) or DIVIDER.match(line):
            why = "a block marker outside a block (no <<<<<<< SEARCH before it)"
            raise ParseProblem(index + 1, why)
        if not scan.fence_line(line) and line.strip():
            scan.text_line(index, line)
        index += 1
    scan.flush()
    return list(entries.values()), scan.prose


def render(response: ModelEditResponse) -> str:
    """A blocks document for `response` (summary first). Refuses what the format cannot carry:
    replace options, text not made of whole lines, or a content line that is a marker."""
    out = [response.summary, ""]
    for edit in response.files:
        out.extend(_render_file(edit.path, edit.action, edit.ops))
    return "\n".join(out) + "\n"


def _render_file(path: str, action: str, ops: Sequence[FileOp]) -> Iterator[str]:
    if action == "delete":
        yield from (path, "<<<<<<< DELETE", ">>>>>>> DELETE", "")
        return
    for op in ops:
        if isinstance(op, WriteOp):
            kind = "CREATE" if action == "create" else "WRITE"
            yield from (path, f"<<<<<<< {kind}", *_lines(op.content), f">>>>>>> {kind}", "")
        elif isinstance(op, ReplaceOp) and op.occurrence is None and not op.replace_all:
            yield from (path, "<<<<<<< SEARCH", *_lines(op.search), "=======")
            yield from (*_lines(op.replace), ">>>>>>> REPLACE", "")
        else:
            raise ValueError(f"{path}: the blocks format cannot carry {op!r}")


def _lines(text: str) -> list[str]:
    if text and not text.endswith("\n"):
        raise ValueError("blocks carry whole lines: the text must end with a line break")
    lines = text.split("\n")[:-1]
    if any(OPENER.match(x) or CLOSER.match(x) or DIVIDER.match(x) for x in lines):
        raise ValueError("a content line looks like a block marker")
    return lines
