"""Read-only tools over the draft, for a turn whose files do not all fit the model's window
(issue 7): `list_files`, `read_file` with line ranges, `search`.

The model may edit only what it has read: every file it reads becomes part of the turn's
`shown` record (spec: principle 1), at the blob it was read from. A file read only in part
may take replace edits (their search text must still match exactly) but not a whole-file
write or a delete, which would act on lines the model never saw.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from gitbench.edits.apply import shown_file
from gitbench.edits.results import Rejection
from gitbench.edits.schema import ShownFile
from gitbench.edits.settings import EditSettings
from gitbench.providers.events import ToolCall, ToolSpec
from gitbench.store.kinds import FileKind
from gitbench.store.types import ObjectId, TreeFile

READ_LINES = 400  # lines one read_file returns at most
READ_CHARS = 48_000
LIST_ENTRIES = 1_000
SEARCH_HITS = 50
HIT_CHARS = 200
CHARS_PER_TOKEN = 4

# The loop guard (issue 7): identical calls among the last LOOP_WINDOW.
LOOP_WINDOW = 10
LOOP_WARN_AT = 3
LOOP_STOP_AT = 5

_OBJECT = "object"
SPECS = (
    ToolSpec(
        "list_files",
        "List the workbench's files with their kind (text or opaque) and size in bytes. "
        "'directory' narrows the list to one directory.",
        {
            "type": _OBJECT,
            "properties": {"directory": {"type": "string", "description": "e.g. docs/"}},
        },
    ),
    ToolSpec(
        "read_file",
        f"Read a text file, or lines start_line to end_line of it (1-based, inclusive). At "
        f"most {READ_LINES} lines come back at a time; the answer says which lines it holds. "
        "You may edit only files you have read.",
        {
            "type": _OBJECT,
            "properties": {
                "path": {"type": "string"},
                "start_line": {"type": "integer", "minimum": 1},
                "end_line": {"type": "integer", "minimum": 1},
            },
            "required": ["path"],
        },
    ),
    ToolSpec(
        "search",
        f"Find the lines that contain 'text' (ignoring case) in the text files, or only under "
        f"'path'. Gives at most {SEARCH_HITS} hits as path:line: text.",
        {
            "type": _OBJECT,
            "properties": {"text": {"type": "string"}, "path": {"type": "string"}},
            "required": ["text"],
        },
    ),
)


@dataclass
class _Read:
    blob: ObjectId
    data: bytes
    lines: int
    seen: list[tuple[int, int]] = field(default_factory=list)

    def whole(self) -> bool:
        """Every line was returned by some read."""
        covered = 0
        for start, end in sorted(self.seen):
            if start > covered + 1:
                return False
            covered = max(covered, end)
        return covered >= self.lines


class ToolBox:
    """The files of one turn's base commit, read through the tools, within a token budget.
    Results are text for the model; a bad call gets an `error:` answer, not an exception,
    so the model can correct itself."""

    def __init__(
        self,
        files: list[TreeFile],
        kinds: dict[ObjectId, FileKind],
        read_blob: Callable[[ObjectId], bytes],
        budget_tokens: int,
    ) -> None:
        self._files = {f.path: f for f in files}
        self._kinds = kinds
        self._read_blob = read_blob
        self.budget = budget_tokens
        self._reads: dict[str, _Read] = {}
        # A read is recorded only once its answer fits the budget: a refused read was not seen.
        self._pending: tuple[str, _Read, tuple[int, int]] | None = None

    def run(self, call: ToolCall) -> str:
        handlers: dict[str, Callable[[dict[str, Any]], str]] = {
            "list_files": self._list_files,
            "read_file": self._read_file,
            "search": self._search,
        }
        handler = handlers.get(call.name)
        if handler is None:
            return f"error: there is no tool {call.name!r}; use one of {sorted(handlers)}"
        self._pending = None
        try:
            answer = handler(call.arguments)
        except _BadArgument as exc:
            return f"error: bad arguments for {call.name}: {exc}"
        cost = len(answer) // CHARS_PER_TOKEN
        if cost > self.budget:
            return (
                f"error: no room left in the context window for this answer ({cost:,} tokens "
                f"needed, {self.budget:,} left); read fewer lines or answer with what you have"
            )
        self.budget -= cost
        if self._pending is not None:
            path, read, lines = self._pending
            self._reads.setdefault(path, read).seen.append(lines)
        return answer

    def shown(self, settings: EditSettings) -> tuple[dict[str, ShownFile], frozenset[str]]:
        """The files read, as the `shown` record, and those read only in part."""
        shown: dict[str, ShownFile] = {}
        for path, read in self._reads.items():
            record = shown_file(path, read.data, settings)
            if not isinstance(record, Rejection):
                shown[path] = record
        partial = frozenset(p for p, r in self._reads.items() if p in shown and not r.whole())
        return shown, partial

    def _list_files(self, arguments: dict[str, Any]) -> str:
        directory = _text(arguments, "directory").strip("/")
        prefix = f"{directory}/" if directory else ""
        found = [f for path, f in self._files.items() if path.startswith(prefix)]
        lines = [f"{f.path} ({self._kinds[f.blob]}, {f.size} bytes)" for f in found]
        more = len(lines) - LIST_ENTRIES
        tail = [f"... and {more} more: narrow with 'directory'"] if more > 0 else []
        return "\n".join(lines[:LIST_ENTRIES] + tail) or f"no files under {directory!r}"

    def _read_file(self, arguments: dict[str, Any]) -> str:
        path = _text(arguments, "path", required=True)
        problem = self._unreadable(path)
        if problem:
            return problem
        entry = self._files[path]
        data = self._read_blob(entry.blob)
        lines = data.decode("utf-8", errors="replace").splitlines(keepends=True)
        start = _number(arguments, "start_line") or 1
        if lines and start > len(lines):
            return f"error: {path} has {len(lines)} lines"
        last = _number(arguments, "end_line") or len(lines)
        end = min(len(lines), last, start + READ_LINES - 1)
        chosen: list[str] = []
        chars = 0
        for number in range(start, end + 1):
            chars += len(lines[number - 1])
            if chars > READ_CHARS and chosen:
                break
            chosen.append(lines[number - 1])
        end = start + len(chosen) - 1
        self._pending = (path, _Read(entry.blob, data, len(lines)), (start, end))
        header = f"{path}: lines {start}-{end} of {len(lines)}"
        if end < len(lines):
            header += f" (read on with start_line={end + 1})"
        return f"{header}\n{''.join(chosen)}"

    def _unreadable(self, path: str) -> str | None:
        entry = self._files.get(path)
        if entry is None:
            return f"error: no file {path!r} (list_files shows the files)"
        if self._kinds[entry.blob] != "text":
            return f"error: {path} is opaque ({entry.size} bytes); only its name and size are known"
        return None

    def _search(self, arguments: dict[str, Any]) -> str:
        needle = _text(arguments, "text", required=True).casefold()
        under = _text(arguments, "path").strip("/")
        hits: list[str] = []
        for path, entry in self._files.items():
            if under and path != under and not path.startswith(under + "/"):
                continue
            if self._kinds[entry.blob] != "text":
                continue
            text = self._read_blob(entry.blob).decode("utf-8", errors="replace")
            for number, line in enumerate(text.splitlines(), start=1):
                if needle in line.casefold():
                    hits.append(f"{path}:{number}: {line[:HIT_CHARS]}")
                    if len(hits) == SEARCH_HITS:
                        return "\n".join([*hits, "... more hits: narrow with 'path'"])
        return "\n".join(hits) or "no lines match"


class _BadArgument(ValueError):
    """A tool argument missing or of the wrong type: told to the model, which can correct it."""


def _text(arguments: dict[str, Any], name: str, *, required: bool = False) -> str:
    value = arguments.get(name)
    if value is None or value == "":
        if required:
            raise _BadArgument(f"{name!r} is required")
        return ""
    if not isinstance(value, str):
        raise _BadArgument(f"{name!r} must be a string")
    return value


def _number(arguments: dict[str, Any], name: str) -> int | None:
    value = arguments.get(name)
    if value is None:
        return None
    # JSON numbers may arrive as floats (1.0); bool is an int subclass and is refused.
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 1:
        raise _BadArgument(f"{name!r} must be a whole number from 1")
    return int(value)


class LoopGuard:
    """Counts identical tool calls (same tool, same arguments) among the last LOOP_WINDOW: a
    model asking the same thing again is not learning anything new from the answer."""

    def __init__(self) -> None:
        self._recent: deque[str] = deque(maxlen=LOOP_WINDOW)

    def repeats(self, call: ToolCall) -> int:
        """How many times this exact call appears among the recent ones, this one included."""
        key = call.name + json.dumps(call.arguments, sort_keys=True)
        self._recent.append(key)
        return self._recent.count(key)
