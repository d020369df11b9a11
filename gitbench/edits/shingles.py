"""Shingle counts for `duplicate_block`, taken around the edits instead of over the whole file.

Text outside the edited regions is identical in both views, so a shingle's count can only change
where it touches an edit. `windows` cuts each view around every edit, far enough out that the
shingles crossing a window's edge are unchanged lines in both views; the counts inside the
windows then differ between the views exactly as whole-file counts do (issue #6: counting every
line of a 10 MB file twice cost 0.8 s for a one-line edit). A whole-file count is needed only
for a candidate that already failed locally, and `count_up_to` finds it by searching for one of
its words rather than normalizing every line.
"""

from __future__ import annotations

import itertools
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field

from gitbench.edits.change import Edit
from gitbench.edits.paragraphs import normalize
from gitbench.edits.settings import EditSettings

Shingle = tuple[str, ...]
Window = tuple[int, int, int, int]  # before[b0:b1] and after[a0:a1], whole lines
_MEMO_FROM = 256  # shorter lines normalize faster than they hash


@dataclass
class NonBlank:
    """The non-blank lines of text[begin:end] (whole lines), normalized, with absolute offsets."""

    text: str
    begin: int = 0
    end: int | None = None
    # Normal forms of lines seen before: the windows of both views hold mostly the same
    # lines, and a file of 8 KB lines spent most of duplicate_block normalizing them (#6).
    memo: dict[str, str] = field(default_factory=dict, repr=False)
    norms: list[str] = field(init=False)
    starts: list[int] = field(init=False)
    stops: list[int] = field(init=False)  # just past the line's \n

    def __post_init__(self) -> None:
        # Comprehensions, not a loop of appends: a window can hold many lines.
        lines = self.text[self.begin : self.end].split("\n")
        offsets = list(itertools.accumulate((len(line) + 1 for line in lines), initial=self.begin))
        memo = self.memo
        norms = [
            " ".join(line.split())  # paragraphs.normalize, inlined
            if len(line) < _MEMO_FROM
            else memo[line]
            if line in memo
            else _remember(memo, line)
            for line in lines
        ]
        kept = [i for i, norm in enumerate(norms) if norm]
        self.norms = [norms[i] for i in kept]
        self.starts = [offsets[i] for i in kept]
        self.stops = [offsets[i + 1] for i in kept]

    def touching(self, begin: int, end: int) -> range:
        return range(bisect_right(self.stops, begin), bisect_left(self.starts, end))

    def shingles_touching(
        self, span: tuple[int, int], settings: EditSettings
    ) -> list[tuple[Shingle, int]]:
        """Shingles with a line in `span`, or spanning its position when it has no line."""
        lines, size = self.touching(*span), settings.duplicate_shingle_lines
        first = max(0, lines.start - size + 1)
        found = [
            (tuple(self.norms[k : k + size]), k)
            for k in range(first, min(lines.stop, len(self.norms) - size + 1))
        ]
        long = settings.duplicate_long_line
        return found + [((self.norms[k],), k) for k in lines if len(self.norms[k]) >= long]

    def _shingles(self, size: int) -> Iterator[Shingle]:
        return zip(*(self.norms[i:] for i in range(size)), strict=False)

    def count_of(self, keys: Collection[Shingle], settings: EditSettings) -> Counter[Shingle]:
        """How often each of `keys` occurs in the window."""
        size = settings.duplicate_shingle_lines
        found = Counter(key for key in self._shingles(size) if key in keys)
        if size > 1:  # single long lines are shingles too, unless every line already is one
            found.update((norm,) for norm in self.norms if (norm,) in keys)
        return found

    def occurrences(self, keys: Collection[Shingle]) -> dict[Shingle, list[int]]:
        """Where each of `keys` occurs (index of its first non-blank line)."""
        found: dict[Shingle, list[int]] = defaultdict(list)
        for size in {len(key) for key in keys}:
            for k, key in enumerate(self._shingles(size)):
                if key in keys:
                    found[key].append(k)
        return found


def _remember(memo: dict[str, str], line: str) -> str:
    memo[line] = normal = " ".join(line.split())
    return normal


def _blank(line: str) -> bool:
    return not line or line.isspace()


def _back(text: str, pos: int, lines: int) -> int:
    """Start of the line `lines` non-blank lines above the line holding `pos` (or 0)."""
    start, found = text.rfind("\n", 0, pos) + 1, 0
    while start > 0 and found < lines:
        previous = text.rfind("\n", 0, start - 1) + 1
        found += not _blank(text[previous : start - 1])
        start = previous
    return start


def _forward(text: str, pos: int, lines: int) -> int:
    """End (past its \\n) of the line `lines` non-blank lines below the line holding `pos`."""
    end, found = _line_end(text, pos), 0
    while end < len(text) and found < lines:
        stop = _line_end(text, end)
        found += not _blank(text[end:stop].rstrip("\n"))
        end = stop
    return end


def _line_end(text: str, pos: int) -> int:
    newline = text.find("\n", pos)
    return len(text) if newline < 0 else newline + 1


def windows(before: str, edits: Sequence[Edit], reach: int) -> list[Window]:
    """Disjoint windows covering every edit with `reach` non-blank lines of context each side."""
    found: list[Window] = []
    shift = 0  # after - before offset of text between the edits
    for edit in edits:
        b0, b1 = _back(before, edit.start, reach), _forward(before, edit.end, reach)
        a0 = b0 + shift
        if found and b0 < found[-1][1]:
            b0, _, a0, _ = found.pop()
        shift += len(edit.text) - (edit.end - edit.start)
        found.append((b0, b1, a0, b1 + shift))
    return found


def _longest(key: Shingle) -> tuple[int, str]:
    return max(
        ((j, word) for j, line in enumerate(key) for word in line.split(" ")),
        key=lambda pair: len(pair[1]),
    )


def key_words(key: Shingle) -> list[str]:
    """The words of `key`, longest first: every raw copy of the shingle contains each."""
    return sorted({word for line in key for word in line.split(" ")}, key=len, reverse=True)


def count_up_to(text: str, key: Shingle, limit: int) -> int:
    """How often `key` occurs in the whole of `text`, counting no further than `limit`."""
    j, word = _longest(key)
    found, pos = 0, text.find(word)
    while pos >= 0 and found < limit:
        start, stop = text.rfind("\n", 0, pos) + 1, _line_end(text, pos)
        found += _matches_at(text, start, stop, key, j)
        pos = text.find(word, stop) if stop < len(text) else -1
    return found


def _matches_at(text: str, start: int, stop: int, key: Shingle, j: int) -> bool:
    """Whether the non-blank lines around the line text[start:stop] spell `key`, it being key[j]."""
    if normalize(text[start:stop]) != key[j]:
        return False
    above = itertools.islice(_non_blank_above(text, start), j)
    below = itertools.islice(_non_blank_below(text, stop), len(key) - j - 1)
    return list(above)[::-1] == list(key[:j]) and list(below) == list(key[j + 1 :])


def _non_blank_above(text: str, start: int) -> Iterator[str]:
    while start > 0:
        previous = text.rfind("\n", 0, start - 1) + 1
        norm = normalize(text[previous : start - 1])
        if norm:
            yield norm
        start = previous


def _non_blank_below(text: str, stop: int) -> Iterator[str]:
    while stop < len(text):
        end = _line_end(text, stop)
        norm = normalize(text[stop:end])
        if norm:
            yield norm
        stop = end
