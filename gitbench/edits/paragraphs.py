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

from gitbench.edits.linediff import common_head, common_tail

SEPARATOR = re.compile(r"\n[ \t]*\n")
_FIRST_CHUNK = 4096
_NON_SPACE = re.compile(r"\S")
_SPACE = re.compile(r"\s")
_LAST_SPACE = re.compile(r"\s\S*\Z")  # with endpos: the last whitespace before it
LONG = 65536  # a paragraph this long is never normalized whole
_HASHED = 1024  # normalized characters a Key hashes
_FIRST_WORDS = 4096  # raw characters read to compare the first words of two middles


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
    A file without blank lines is one paragraph: normalizing it whole cost 0.1 s and 7x the
    file in memory per op (#6). So a long paragraph is only ever normalized as far as asked
    (`head`), tested for blankness by search, and compared (`Key`) by its raw common ends.
    """

    text: str
    begin: int = 0
    end: int | None = None
    spans: list[tuple[int, int]] = field(init=False)
    starts: list[int] = field(init=False)
    _normal: dict[int, str] = field(init=False, default_factory=dict)
    _heads: dict[tuple[int, int], str] = field(init=False, default_factory=dict)

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

    def is_long(self, index: int) -> bool:
        begin, end = self.spans[index]
        return end - begin > LONG

    def normal(self, index: int) -> str:
        """The whole paragraph normalized (for short ones; see `head` for long ones)."""
        if index not in self._normal:
            begin, end = self.spans[index]
            self._normal[index] = normalize(self.text[begin:end])
        return self._normal[index]

    def head(self, index: int, size: int) -> str:
        """normalize(paragraph)[:size], normalizing no more of a long paragraph than needed."""
        if not self.is_long(index):
            return self.normal(index)[:size]
        if (index, size) not in self._heads:
            begin, end = self.spans[index]
            self._heads[index, size] = _normal_prefix(self.text, begin, end, size)
        return self._heads[index, size]

    def blank(self, index: int) -> bool:
        begin, end = self.spans[index]
        return _NON_SPACE.search(self.text, begin, end) is None

    def filled(self) -> Iterator[int]:
        """Indexes of the non-blank paragraphs (blank ones never count as duplicates)."""
        return (i for i in range(len(self.spans)) if not self.blank(i))

    def key(self, index: int) -> Key:
        return Key(self, index)


@dataclass(frozen=True, eq=False)
class Key:
    """A paragraph as an element to compare: equal when the normalized texts are."""

    paragraphs: Paragraphs
    index: int

    def __hash__(self) -> int:
        return hash(self.paragraphs.head(self.index, _HASHED))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Key):
            return NotImplemented
        mine, theirs = self.paragraphs, other.paragraphs
        if not (mine.is_long(self.index) or theirs.is_long(other.index)):
            return mine.normal(self.index) == theirs.normal(other.index)
        if mine.head(self.index, _HASHED) != theirs.head(other.index, _HASHED):
            return False
        return same_normal(
            (mine.text, *mine.spans[self.index]), (theirs.text, *theirs.spans[other.index])
        )


def _normal_prefix(text: str, begin: int, end: int, size: int) -> str:
    # A prefix of the raw text normalizes to a prefix of the whole normalized text, so once it
    # gives more than `size` characters, its first `size` are the whole text's.
    chunk = 2 * size + 64
    while True:
        stop = min(end, begin + chunk)
        normal = normalize(text[begin:stop])
        if len(normal) > size or stop == end:
            return normal[:size]
        chunk *= 4


def same_normal(x: tuple[str, int, int], y: tuple[str, int, int]) -> bool:
    """Whether text[begin:end] of x and of y normalize alike, comparing raw ends first.

    Cut both where their common raw prefix and suffix end, moved back to whitespace so that no
    word straddles a cut: the normalized texts are equal if and only if the middles' words are.
    """
    (xt, xb, xe), (yt, yb, ye) = x, y
    limit = min(xe - xb, ye - yb)
    head = _word_start(xt, xb, xb + common_head(xt, xb, yt, yb, limit)) - xb
    tail = xe - _word_end(xt, xe - common_tail(xt, xe, yt, ye, limit - head), xe)
    x_middle, y_middle = (xt, xb + head, xe - tail), (yt, yb + head, ye - tail)
    if _first_words_differ(x_middle, y_middle):  # the usual case: a word changed
        return False
    return xt[xb + head : xe - tail].split() == yt[yb + head : ye - tail].split()


def _word_start(text: str, low: int, pos: int) -> int:
    """The last i <= pos that is `low` or follows whitespace (searched in C, a chunk at a time:
    a file that is one long word must not be walked back a character at a time)."""
    while pos > low:
        begin = max(low, pos - _FIRST_WORDS)
        found = _LAST_SPACE.search(text, begin, pos)
        if found is not None:
            return found.start() + 1
        pos = begin
    return low


def _word_end(text: str, pos: int, high: int) -> int:
    """The first j >= pos that is `high` or is whitespace."""
    found = _SPACE.search(text, pos, high)
    return high if found is None else found.start()


def _first_words_differ(x: tuple[str, int, int], y: tuple[str, int, int]) -> bool:
    """Whether the words at the start of two texts already differ (a bounded look)."""
    first_x, first_y = _first_words(*x), _first_words(*y)
    shared = min(len(first_x), len(first_y))
    return first_x[:shared] != first_y[:shared]


def _first_words(text: str, begin: int, end: int) -> list[str]:
    stop = min(end, begin + _FIRST_WORDS)
    words = text[begin:stop].split()
    if stop < end and words and not text[stop].isspace():
        words.pop()  # cut off: a longer word in the text
    return words
