"""Shared pieces of the plain-text edit parsers (blocks.py, udiff.py): lines, paths, entries."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from gitbench.edits.schema import InvalidPath, validate_path

FENCE = re.compile(r"^\s*(`{3,}|~{3,})(.*)$")


class ParseProblem(Exception):
    """A structural error at a 1-based line of the document; turned into a Rejection."""

    def __init__(self, line: int, why: str, *, path: str | None = None) -> None:
        super().__init__(f"line {line}: {why}")
        self.line = line
        self.why = why
        self.path = path


@dataclass
class FileEntry:
    """The ops gathered for one path, in document order."""

    path: str
    line: int
    action: str = "edit"
    ops: list[dict[str, Any]] = field(default_factory=list)
    exclusive: bool = False  # a create, write or delete: nothing else may join it


def split_lines(text: str) -> list[str]:
    """Lines of the document; a document whose every line break is CRLF is read as LF."""
    if "\r\n" in text and text.count("\r\n") == text.count("\n"):
        text = text.replace("\r\n", "\n")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def checked_path(path: str, line: int) -> str:
    """`path` if safe, else a ParseProblem (reported as invalid_path) at `line`."""
    verdict = validate_path(path)
    if isinstance(verdict, InvalidPath):
        raise ParseProblem(line, f"path {path!r} {verdict.problem}", path=path)
    return verdict


def entry_for(entries: dict[str, FileEntry], path: str, line: int, *, exclusive: bool) -> FileEntry:
    """The entry of `path`, refusing to mix a create, write or delete with anything else."""
    entry = entries.get(path)
    if entry is None:
        entry = entries[path] = FileEntry(path=path, line=line, exclusive=exclusive)
        return entry
    if entry.exclusive or exclusive:
        raise ParseProblem(
            line,
            f"{path} already has edits from line {entry.line}; a create, whole-file write or "
            "delete must be the only edit of its file",
        )
    return entry
