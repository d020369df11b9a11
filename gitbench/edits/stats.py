"""Lines added/removed for telemetry, computed from the regions instead of a diff.

A general diff is super-linear (the seed editor spent 37 s diffing a 40 KB file). The regions
already say what changed: each is widened to whole lines, regions sharing a line are merged
into one hunk, and lines common to both ends of a hunk are trimmed. The result equals
`git diff --numstat` when each hunk is one contiguous change (every replace op, and a write,
whose regions are its changed lines: see linediff), and is an upper bound otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence

from gitbench.edits.codec import Splice

Hunk = tuple[int, int, int, int]  # before[b0:b1] became after[a0:a1], whole lines


def line_count(data: bytes) -> int:
    """Lines of a blob as git counts them (a last line without a line break counts)."""
    return data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)


def _at_line_end(text: str, begin: int, end: int) -> bool:
    return end in (begin, len(text)) or text[end - 1] == "\n"


def _hunk(before: str, after: str, splice: Splice, after_start: int) -> Hunk:
    b0 = before.rfind("\n", 0, splice.start) + 1
    a0 = after_start - (splice.start - b0)
    b1, a1 = splice.end, after_start + len(splice.text)
    if not (_at_line_end(before, b0, b1) and _at_line_end(after, a0, a1)):
        newline = before.find("\n", b1)
        grow = (newline + 1 if newline >= 0 else len(before)) - b1
        b1, a1 = b1 + grow, a1 + grow
    return b0, b1, a0, a1


def _hunks(before: str, after: str, splices: Sequence[Splice], starts: Sequence[int]) -> list[Hunk]:
    merged: list[Hunk] = []
    for splice, after_start in zip(splices, starts, strict=True):
        b0, b1, a0, a1 = _hunk(before, after, splice, after_start)
        if merged and b0 < merged[-1][1]:  # shares a line with the previous hunk
            b0, a0 = merged.pop()[0::2]
        merged.append((b0, b1, a0, a1))
    return merged


def _lines(text: str) -> list[str]:
    # Lines keep their line break, so losing the final newline changes the last line, as in git.
    parts = text.split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    return [*lines, parts[-1]] if parts[-1] else lines


def _common_ends(old: list[str], new: list[str]) -> tuple[int, int]:
    """How many leading and trailing lines the two lists share (never overlapping)."""
    head = 0
    while head < min(len(old), len(new)) and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < min(len(old), len(new)) - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    return head, tail


def _trimmed_sizes(old: list[str], new: list[str]) -> tuple[int, int]:
    head, tail = _common_ends(old, new)
    return len(new) - head - tail, len(old) - head - tail


def line_stats(
    before: str, after: str, splices: Sequence[Splice], starts: Sequence[int]
) -> tuple[int, int]:
    """(lines_added, lines_removed) of the spliced view; `starts` as from `splice_text`."""
    added = removed = 0
    for b0, b1, a0, a1 in _hunks(before, after, splices, starts):
        plus, minus = _trimmed_sizes(_lines(before[b0:b1]), _lines(after[a0:a1]))
        added, removed = added + plus, removed + minus
    return added, removed
