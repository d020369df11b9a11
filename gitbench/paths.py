"""Workbench paths: repo-relative POSIX names that are safe on every platform git runs on.

pygit2 validates nothing (design.md section 3: `/abs` is stored as `abs`, `x\\0y` is cut to `x`,
backslashes and `CON` pass), so every path is checked here before any object is written.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from gitbench.errors import ErrorCode, GitbenchError

MAX_PATH_BYTES = 4096
MAX_COMPONENT_BYTES = 255

# Names Windows reserves for devices, with or without an extension: a workbench cloned there
# would fail to check out.
_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$", re.IGNORECASE)


def path_problem(path: str) -> str | None:
    """Why `path` cannot name a file in a workbench, or None when it can."""
    if not path:
        return "the path is empty"
    if "\x00" in path:
        return "the path contains a NUL byte"
    if not _utf8(path):
        return "the name is not valid UTF-8"
    if "\\" in path:
        return "the path contains a backslash (use '/' between directories)"
    if any(unicodedata.category(ch) == "Cc" for ch in path):
        return "the path contains a control character"
    if path.startswith("/"):
        return "the path is absolute (give it relative to the workbench)"
    if len(path.encode()) > MAX_PATH_BYTES:
        return f"the path is longer than {MAX_PATH_BYTES} bytes"
    for part in path.split("/"):
        problem = _component_problem(part)
        if problem:
            return problem
    return None


def _utf8(path: str) -> bool:
    # A file name that is not UTF-8 on disk reaches Python with surrogate escapes.
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _component_problem(part: str) -> str | None:
    if part in ("", ".", ".."):
        return "the path has an empty, '.' or '..' component (it must stay inside the workbench)"
    if part.lower() == ".git":
        return "the path has a '.git' component"
    if len(part.encode()) > MAX_COMPONENT_BYTES:
        return f"a path component is longer than {MAX_COMPONENT_BYTES} bytes"
    if part.endswith((" ", ".")):
        return "a path component ends with a space or a dot"
    if _RESERVED.match(part):
        return f"'{part}' is a reserved device name on Windows"
    return None


def fold(path: str) -> str:
    """The form two paths share when they collide on a case-insensitive filesystem."""
    return unicodedata.normalize("NFC", path).casefold()


def first_collision(new: Iterable[str], existing: Iterable[str]) -> tuple[str, str] | None:
    """The first of `new` that cannot sit beside `existing` (and the new ones before it) on
    every filesystem, with the reason; None when all can. Equal paths are updates, not clashes."""
    files: dict[str, str] = {}
    directories: dict[str, str] = {}
    for path in existing:
        _remember(path, files, directories)
    for path in new:
        why = _clash(path, files, directories)
        if why:
            return path, why
        _remember(path, files, directories)
    return None


def _clash(path: str, files: dict[str, str], directories: dict[str, str]) -> str | None:
    key = fold(path)
    if key in files and files[key] != path:
        return f"{path!r} collides with {files[key]!r} on case-insensitive disks"
    if key in directories:
        return f"{path!r} is a directory in the workbench"
    for parent in _ancestors(path):
        if fold(parent) in files:
            return f"{path!r} needs {parent!r} to be a directory, but it is a file"
        spelled = directories.get(fold(parent))
        if spelled is not None and spelled != parent:
            return f"{parent!r} collides with {spelled!r} on case-insensitive disks"
    return None


def _remember(path: str, files: dict[str, str], directories: dict[str, str]) -> None:
    files.setdefault(fold(path), path)
    for parent in _ancestors(path):
        directories.setdefault(fold(parent), parent)


def _ancestors(path: str) -> list[str]:
    parts = path.split("/")
    return ["/".join(parts[:i]) for i in range(1, len(parts))]


def require_valid_path(path: str, phase: str = "validating") -> str:
    """`path` itself, or SANDBOX_VIOLATION saying what is wrong with it."""
    problem = path_problem(path)
    if problem:
        raise GitbenchError(
            ErrorCode.SANDBOX_VIOLATION, f"{path!r}: {problem}", phase=phase, detail={"path": path}
        )
    return path
