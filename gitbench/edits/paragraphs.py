"""Paragraph segmentation (split on `\\n[ \\t]*\\n`), over a whole text or an exact local window.

Segmenting a 10 MB file for a one-word edit costs more than the edit, so the checks segment a
window around the edits instead. The window is bounded by *anchored* separators: a separator
match whose preceding character is not `\\n`, space or tab. No separator match can contain that
character, so wherever a left-to-right scan starts, it finds the anchored match at the same
place; the window's segmentation therefore equals the whole text's, span for span, and
windows cut at anchors outside the edited regions line up between the before and after views.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field

SEPARATOR = re.compile(r"\n[ \t]*\n")
_FIRST_CHUNK = 4096


def normalize(text: str) -> str:
    """Strip and collapse whitespace (no lowercasing)."""
    return " ".join(text.split())


def _anchored(text: str, match: re.Match[str]) -> bool:
    return match.start() > 0 and text[match.start() - 1] not in "\n \t"


def window_start(text: str, pos: int, anchors: int) -> int:
    """End of the `anchors`-th anchored separator ending at or before `pos`, else 0."""
    chunk = _FIRST_CHUNK
    while True:
        begin = max(0, pos - chunk)
        ends = [m.end() for m in SEPARATOR.finditer(text, begin, pos) if _anchored(text, m)]
        if len(ends) >= anchors:
            return ends[-anchors]
        if begin == 0:
            return 0
        chunk *= 4


def window_end(text: str, pos: int, anchors: int) -> int:
    """Start of the `anchors`-th anchored separator starting after `pos`, else len(text)."""
    found = 0
    for match in SEPARATOR.finditer(text, pos + 1):
        if _anchored(text, match):
            found += 1
            if found == anchors:
                return match.start()
    return len(text)


@dataclass
class Paragraphs:
    """The paragraphs of text[begin:end] (absolute spans), normalized on demand.

    `begin`/`end` must be 0/len(text) or window bounds from `window_start`/`window_end`.
    """

    text: str
    begin: int = 0
    end: int | None = None
    spans: list[tuple[int, int]] = field(init=False)
    starts: list[int] = field(init=False)
    _normal: dict[int, str] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        stop = len(self.text) if self.end is None else self.end
        spans, start = [], self.begin
        for match in SEPARATOR.finditer(self.text, self.begin, stop):
            spans.append((start, match.start()))
            start = match.end()
        spans.append((start, stop))
        self.spans, self.starts = spans, [span[0] for span in spans]

    @classmethod
    def around(cls, text: str, lo: int, hi: int, anchors: int) -> Paragraphs:
        """The paragraphs near text[lo:hi], with at least `anchors` - 1 whole ones each side."""
        return cls(text, window_start(text, lo, anchors), window_end(text, hi, anchors))

    def index_at(self, pos: int) -> int:
        return max(0, bisect_right(self.starts, pos) - 1)

    def window(self, start: int, end: int, radius: int) -> range:
        low, high = self.index_at(start), self.index_at(end)
        return range(max(0, low - radius), min(len(self.spans), high + radius + 1))

    def normal(self, index: int) -> str:
        if index not in self._normal:
            begin, end = self.spans[index]
            self._normal[index] = normalize(self.text[begin:end])
        return self._normal[index]

    def filled(self) -> Iterator[int]:
        """Indexes of the non-blank paragraphs (blank ones never count as duplicates)."""
        return (i for i in range(len(self.spans)) if self.normal(i))
