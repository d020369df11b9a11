"""The repetition checks of Inspector v2 (spec: Inspector v2 table, rows 1-3).

They catch the motivating failure: a model asked to rewrite a paragraph keeps the original and
appends the rewrite (`near_duplicate_block`), or pastes a copy (`duplicate_block`,
`duplicate_paragraph`). Blank lines and blank paragraphs never count, which is what made the
seed editor reject harmless edits. Ops with `allow_duplicates` are exempt from all three.
"""

from __future__ import annotations

import itertools
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import lru_cache

from gitbench.edits.change import Change, Edit, clusters, finding
from gitbench.edits.paragraphs import Paragraphs, normalize
from gitbench.edits.reasons import ReasonCode
from gitbench.edits.results import Diagnostic
from gitbench.edits.schema import WriteOp
from gitbench.edits.settings import EditSettings
from gitbench.edits.shingles import (
    NonBlank,
    Shingle,
    Window,
    count_up_to,
    key_words,
    windows,
)

_FEW_KEYS = 32  # with more candidates, searching for their words costs more than counting


def _inserting(change: Change) -> list[Edit]:
    # A write region that only deletes still counts: all of a write is inserted text.
    return [e for e in change.edits if (e.text or e.is_write) and not e.allows_duplicates]


def _touching(edits: list[Edit], *spans: tuple[int, int]) -> Edit | None:
    """The first edit whose inserted text intersects one of `spans` (after coordinates).

    A write's text is all inserted, though only its changed lines are regions: a paragraph
    next to one of them (a write that deleted what stood between two equal paragraphs)
    counts as touched.
    """
    hits = (e for e in edits for begin, end in spans if _meets(e, begin, end))
    return next(hits, None)


def _meets(edit: Edit, begin: int, end: int) -> bool:
    if edit.is_write:
        return begin <= edit.after_end and edit.after_start <= end
    return begin < edit.after_end and edit.after_start < end


def duplicate_paragraph(change: Change, settings: EditSettings) -> list[Diagnostic]:
    """More adjacent equal paragraphs than before, one of a new pair being inserted text."""
    edits = _inserting(change)
    if not edits:
        return []
    windows = [
        (Paragraphs(change.before, b0, b1), Paragraphs(change.after, a0, a1))
        for b0, b1, a0, a1 in clusters(change, anchors=2)
    ]
    pairs = [(_equal_neighbours(before), _equal_neighbours(after)) for before, after in windows]
    before_count = sum(len(old) for old, _ in pairs)
    after_count = sum(len(new) for _, new in pairs)
    if after_count <= before_count:
        return []
    counts = {"pairs_before": before_count, "pairs_after": after_count}
    for (_, after), (_, new) in zip(windows, pairs, strict=True):
        for first, second in new:
            edit = _touching(edits, after.spans[first], after.spans[second])
            if edit is not None:
                return [
                    finding(
                        change,
                        settings,
                        ReasonCode.DUPLICATE_PARAGRAPH,
                        edit.op_index,
                        pos=after.spans[second][0],
                        excerpt=after.head(second, settings.excerpt_chars),
                        counts=counts,
                    )
                ]
    return []


def _equal_neighbours(paragraphs: Paragraphs) -> list[tuple[int, int]]:
    pairs = itertools.pairwise(paragraphs.filled())
    return [(a, b) for a, b in pairs if paragraphs.key(a) == paragraphs.key(b)]


def _is_block(text: str, settings: EditSettings) -> bool:
    lines = [norm for norm in map(normalize, text.split("\n")) if norm]
    long = any(len(line) >= settings.duplicate_long_line for line in lines)
    return long or len(lines) >= settings.duplicate_shingle_lines


@dataclass
class _Counts:
    """Counts of the shingles touching `edits`, in the windows around every edit."""

    change: Change
    settings: EditSettings
    edits: list[Edit]
    windows: list[Window] = field(init=False)
    after: dict[int, NonBlank] = field(init=False)  # the windows holding one of `edits`
    then: Counter[Shingle] = field(init=False)
    now: Counter[Shingle] = field(init=False)

    def __post_init__(self) -> None:
        settings, change = self.settings, self.change
        # Copies up to duplicate_window lines away count, and a shingle crossing a window's
        # edge must be made of unchanged lines only: reach that far past every edit.
        reach = settings.duplicate_window + settings.duplicate_shingle_lines
        self.windows = windows(change.before, change.edits, reach)
        self.after = {}
        memo: dict[str, str] = {}
        for edit in self.edits:
            index = self._index(edit)
            if index not in self.after:
                _, _, a0, a1 = self.windows[index]
                self.after[index] = NonBlank(change.after, a0, a1, memo)
        keys = {key for edit in self.edits for key, _ in self.touching(edit)}
        # Only the candidates are counted, one window at a time: a write's many windows
        # would otherwise hold every line and shingle near every change at once.
        self.then, self.now = Counter(), Counter()
        words = [key_words(key) for key in keys] if len(keys) <= _FEW_KEYS else None
        for index, (b0, b1, a0, a1) in enumerate(self.windows):
            if index not in self.after and not _may_hold(change, self.windows[index], words):
                continue
            self.then.update(NonBlank(change.before, b0, b1, memo).count_of(keys, settings))
            after = self.after.get(index) or NonBlank(change.after, a0, a1, memo)
            self.now.update(after.count_of(keys, settings))

    def _index(self, edit: Edit) -> int:
        return bisect_right([a0 for _, _, a0, _ in self.windows], edit.after_start) - 1

    def window_of(self, edit: Edit) -> NonBlank:
        return self.after[self._index(edit)]

    def touching(self, edit: Edit) -> list[tuple[Shingle, int]]:
        span = (edit.after_start, edit.after_end)
        return self.window_of(edit).shingles_touching(span, self.settings)

    def before_count(self, key: Shingle) -> int:
        """c_before(key), exact below duplicate_threshold (higher counts are cut there)."""
        limit = self.settings.duplicate_threshold
        if self.then[key] >= limit:
            return self.then[key]
        return count_up_to(self.change.before, key, limit)


def _may_hold(change: Change, window: Window, keys: list[list[str]] | None) -> bool:
    """Whether a window may hold a copy of a candidate, which holds every word of it.

    A write changing 250 scattered lines has 250 windows, and one inserted block among them
    (#6): a word search skips the windows that cannot change a candidate's count. (A copy
    across a window's edge is in neither view's count, so only whole copies matter.)
    """
    if keys is None:
        return True
    b0, b1, a0, a1 = window
    return any(
        all(text.find(word, start, end) >= 0 for word in words)
        for words in keys
        for text, start, end in ((change.before, b0, b1), (change.after, a0, a1))
    )


def duplicate_block(change: Change, settings: EditSettings) -> list[Diagnostic]:
    """Inserted lines that repeat (3-line or long-line shingles) lines close by."""
    edits = [edit for edit in _inserting(change) if _is_block(edit.text, settings)]
    if not edits:
        return []
    counts = _Counts(change, settings, edits)
    found = []
    for edit in edits:
        lines = counts.window_of(edit)
        hit = _grown_copy(counts, lines, edit, settings)
        if hit is not None:
            key, k, facts = hit
            found.append(
                finding(
                    change,
                    settings,
                    ReasonCode.DUPLICATE_BLOCK,
                    edit.op_index,
                    pos=lines.starts[k],
                    excerpt="\n".join(key),
                    counts=facts,
                )
            )
    return found


def _grown_copy(
    counts: _Counts, lines: NonBlank, edit: Edit, settings: EditSettings
) -> tuple[Shingle, int, dict[str, int]] | None:
    """The first shingle touching `edit` that the change repeated close by, with its counts.

    A shingle already repeated `duplicate_threshold` times before the edit is the file's own
    boilerplate (a guard, `return result`): code written like its neighbours repeats it by
    design, so it does not count (docs/edits-performance.md: 20 of 20 such functions refused).
    """
    touching = counts.touching(edit)
    grown = {key for key, _ in touching if counts.now[key] > counts.then[key]}
    where = lines.occurrences(grown) if grown else {}
    for key, k in touching:
        if key not in grown:
            continue
        distance = min((abs(k - other) for other in where[key] if other != k), default=None)
        if distance is None or distance > settings.duplicate_window:
            continue
        before = counts.before_count(key)
        after = before + counts.now[key] - counts.then[key]
        if before < settings.duplicate_threshold <= after:
            return key, k, {"before": before, "after": after, "distance": distance}
    return None


def lcs_length(a: str, b: str) -> int:
    """Length of the longest common subsequence, bit-parallel (Hyyro 2004): O(len(a)) big-int ops."""
    masks, full = _masks(b)
    row = full
    for char in a:
        match = row & masks.get(char, 0)
        row = ((row + match) | (row - match)) & full
    return len(b) - row.bit_count()


@lru_cache(maxsize=64)
def _masks(b: str) -> tuple[dict[str, int], int]:
    # A new paragraph is compared with each of its neighbours: its masks are built once.
    masks: dict[str, int] = {}
    for i, char in enumerate(b):
        masks[char] = masks.get(char, 0) | (1 << i)
    return masks, (1 << len(b)) - 1


def _ratio(a: str, b: str, settings: EditSettings) -> float:
    """SequenceMatcher ratio, or 0.0 when an upper bound already falls short of the floor."""
    limit, floor = settings.near_duplicate_max_chars, settings.near_duplicate_similarity
    a, b = a[:limit], b[:limit]
    total = len(a) + len(b)
    # difflib's real_quick_ratio and quick_ratio bounds, computed without building a matcher
    # (its index of b cost more than the bounds, for every neighbour of every op: #6).
    if 2 * min(len(a), len(b)) < floor * total:
        return 0.0
    if 2 * (_letters(a) & _letters(b)).total() < floor * total:
        return 0.0
    # quick_ratio barely filters prose (letter frequencies are alike), and ratio() takes seconds
    # on 5000-char paragraphs. The matching blocks form a common subsequence, so 2*LCS/total
    # bounds the ratio from above: the same decisions, at a few milliseconds a pair.
    if 2 * lcs_length(b, a) < floor * total:  # LCS is symmetric; a's masks are cached
        return 0.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


@lru_cache(maxsize=64)
def _letters(text: str) -> Counter[str]:
    return Counter(text)


@dataclass
class _Alignment:
    """The paragraphs around an edit; for each after one, its before one and newness."""

    before: Paragraphs
    after: Paragraphs
    b_window: range
    a_window: range
    aligned: list[int | None] = field(init=False)
    new: list[bool] = field(init=False)

    def __post_init__(self) -> None:
        size = len(self.a_window)
        self.aligned, self.new = [None] * size, [True] * size
        matcher = SequenceMatcher(
            None,
            [self.before.key(i) for i in self.b_window],
            [self.after.key(j) for j in self.a_window],
            autojunk=False,
        )
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            for j in range(j1, j2):
                i = i1 + (j - j1)
                if tag == "equal":
                    self.aligned[j], self.new[j] = i, False
                elif tag == "replace" and i < i2:
                    self.aligned[j] = i

    def after_text(self, j: int, size: int) -> str:
        return self.after.head(self.a_window[j], size)

    def _before_text(self, i: int, size: int) -> str:
        return self.before.head(self.b_window[i], size)

    def similar_neighbour(self, j: int, settings: EditSettings) -> dict[str, float] | None:
        """Counts for the first neighbour that new paragraph j nearly repeats, if any.

        An edited neighbour is compared as it was: two similar handlers both edited in one
        proposal were similar before too (the spec's "0 if Q is new" refused that, #6).
        """
        floor, limit = settings.near_duplicate_similarity, settings.near_duplicate_max_chars
        text = self.after_text(j, limit)
        for k in range(len(self.a_window)):
            sim = 0.0 if k == j else _ratio(text, self.after_text(k, limit), settings)
            if sim < floor:
                continue
            bj, bk = self.aligned[j], self.aligned[k]
            was = (
                0.0
                if bj is None or bk is None
                else _ratio(self._before_text(bj, limit), self._before_text(bk, limit), settings)
            )
            if was < floor:  # the pair was not similar before: the edit made the repetition
                return {"similarity": round(sim, 3), "similarity_before": round(was, 3)}
        return None


def near_duplicate_block(change: Change, settings: EditSettings) -> list[Diagnostic]:
    """A new paragraph at least 80 % similar to a neighbour that its original was not."""
    edits = [e for e in change.edits if not isinstance(e.op, WriteOp) and not e.allows_duplicates]
    if not edits:
        return []
    # Segmented once per cluster of nearby edits, not once per edit: in a file without blank
    # lines every edit's window is the whole file (#6: 22 s for 100 ops at 10 MB).
    windows = clusters(change, anchors=settings.near_duplicate_neighbourhood + 1)
    befores = [Paragraphs(change.before, b0, b1) for b0, b1, _, _ in windows]
    afters = [Paragraphs(change.after, a0, a1) for _, _, a0, a1 in windows]
    firsts = [b0 for b0, _, _, _ in windows]
    found: dict[tuple[int, int | None], Diagnostic] = {}
    for edit in edits:
        index = bisect_right(firsts, edit.start) - 1
        near = _near_duplicates(change, edit, befores[index], afters[index], settings)
        for diagnostic in near:
            found.setdefault((edit.op_index, diagnostic["line"]), diagnostic)
    return list(found.values())


def _near_duplicates(
    change: Change, edit: Edit, before: Paragraphs, after: Paragraphs, settings: EditSettings
) -> list[Diagnostic]:
    radius = settings.near_duplicate_neighbourhood
    b_window = before.window(edit.start, edit.end, radius)
    a_window = after.window(edit.after_start, edit.after_end, radius)
    alignment = _Alignment(before, after, b_window, a_window)
    found = []
    for j in range(len(a_window)):
        shortest = settings.near_duplicate_min_chars
        if not alignment.new[j] or len(alignment.after_text(j, shortest)) < shortest:
            continue
        counts = alignment.similar_neighbour(j, settings)
        if counts is not None:
            pos = after.spans[a_window[j]][0]
            found.append(
                finding(
                    change,
                    settings,
                    ReasonCode.NEAR_DUPLICATE_BLOCK,
                    edit.op_index,
                    pos=pos,
                    excerpt=alignment.after_text(j, settings.excerpt_chars),
                    counts=counts,
                )
            )
    return found
