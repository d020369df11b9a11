"""File names on the `---` / `+++` lines of a unified diff: git's C quoting and timestamps."""

from __future__ import annotations

from gitbench.edits.textlines import ParseProblem

_ESCAPES = {"a": 7, "b": 8, "t": 9, "n": 10, "v": 11, "f": 12, "r": 13, '"': 34, "\\": 92}


def unquote(name: str, line: int) -> str:
    """A git C-quoted file name ("a/caf\\303\\251") as text."""
    body = name[1:-1] if len(name) >= 2 and name.endswith('"') else None
    if body is None:
        raise ParseProblem(line, f"unterminated quoted file name {name!r}")
    out = bytearray()
    i = 0
    while i < len(body):
        char = body[i]
        if char != "\\":
            out += char.encode("utf-8")
            i += 1
        elif body[i + 1 : i + 4].isdigit() and len(body[i + 1 : i + 4]) == 3:
            out.append(int(body[i + 1 : i + 4], 8))
            i += 4
        elif body[i + 1 : i + 2] in _ESCAPES:
            out.append(_ESCAPES[body[i + 1]])
            i += 2
        else:
            raise ParseProblem(line, f"bad escape in quoted file name {name!r}")
    try:
        return out.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ParseProblem(line, f"quoted file name {name!r} is not UTF-8") from exc


def header_name(text: str, line: int) -> str:
    """The file name of a `---`/`+++` line (after the marker): unquoted, without a timestamp."""
    text = text.strip()
    if text.startswith('"'):
        return unquote(text[: _quote_end(text) + 1], line)
    return text.split("\t", 1)[0].rstrip()


def _quote_end(text: str) -> int:
    i = 1
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == '"':
            return i
        i += 1
    return len(text) - 1
