"""The repetition checks of Inspector v2 (spec: Inspector v2 table, rows 1-3).

They catch the motivating failure: a model asked to rewrite a paragraph keeps the original and
appends the rewrite (`near_duplicate_block`), or pastes a copy (`duplicate_block`,
`duplicate_paragraph`). Blank lines and blank paragraphs never count, which is what made the
seed editor reject harmless edits. Ops with `allow_duplicates` are exempt from all three.
"""

from __future__ import annotations

import itertools
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from gitbench.edits.change import Change, Edit, clusters, finding
from gitbench.edits.paragraphs import Paragraphs, normalize
from gitbench.edits.reasons import ReasonCode
from gitbench.edits.results import Diagnostic
from gitbench.edits.schema import WriteOp
from gitbench.edits.settings import EditSettings
from gitbench.edits.stats import changed_middle

Shingle = tuple[str, ...]


def _inserting(change: Change) -> list[Edit]:
    return [edit for edit in change.edits if edit.text and not edit.allows_duplicates]


def _touching(edits: list[Edit], *spans: tuple[int, int]) -> Edit | None:
    """The first edit whose inserted text intersects one of `spans` (after coordinates)."""
    hits = (e for e in edits for begin, end in spans if begin < e.after_end and e.after_start < end)
    return next(hits, None)


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
                        excerpt=after.normal(second),
                        counts=counts,
                    )
                ]
    return []


def _equal_neighbours(paragraphs: Paragraphs) -> list[tuple[int, int]]:
    pairs = itertools.pairwise(paragraphs.filled())
    return [(a, b) for a, b in pairs if paragraphs.normal(a) == paragraphs.normal(b)]


@dataclass
class _NonBlank:
    """The non-blank lines of a text, normalized, with where each starts and stops."""

    text: str
    norms: list[str] = field(init=False)
    starts: list[int] = field(init=False)
    stops: list[int] = field(init=False)  # just past the line's \n

    def __post_init__(self) -> None:
        # Comprehensions, not a loop of appends: this runs over every line of the file.
        lines = self.text.split("\n")
        offsets = list(itertools.accumulate((len(line) + 1 for line in lines), initial=0))
        norms = [" ".join(line.split()) for line in lines]  # paragraphs.normalize, inlined
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

    def counts(self, sizes: Collection[int]) -> Counter[Shingle]:
        """How often every shingle of these sizes occurs (Counter counts in C)."""
        found: Counter[Shingle] = Counter()
        for size in sizes:
            found.update(self._shingles(size))
        return found

    def occurrences(self, keys: Collection[Shingle]) -> dict[Shingle, list[int]]:
        """Where each of `keys` occurs (index of its first non-blank line)."""
        found: dict[Shingle, list[int]] = defaultdict(list)
        for size in {len(key) for key in keys}:
            for k, key in enumerate(self._shingles(size)):
                if key in keys:
                    found[key].append(k)
        return found


def _is_block(text: str, settings: EditSettings) -> bool:
    lines = [norm for norm in map(normalize, text.split("\n")) if norm]
    long = any(len(line) >= settings.duplicate_long_line for line in lines)
    return long or len(lines) >= settings.duplicate_shingle_lines


def _inserted_span(change: Change, edit: Edit) -> tuple[int, int]:
    if edit.is_write:
        # Lines a write leaves as they were cannot raise a shingle's count, so the shingles
        # whose count can rise all touch the changed middle; their copies are then checked
        # wherever they are, since every line of a write is inserted text.
        return changed_middle(change.before, change.after)
    return edit.after_start, edit.after_end


def duplicate_block(change: Change, settings: EditSettings) -> list[Diagnostic]:
    """Inserted lines that repeat (3-line or long-line shingles) lines close by."""
    edits = [edit for edit in _inserting(change) if _is_block(edit.text, settings)]
    if not edits:
        return []
    after, before = _NonBlank(change.after), _NonBlank(change.before)
    touching = {
        e.op_index: after.shingles_touching(_inserted_span(change, e), settings) for e in edits
    }
    keys = {key for shingles in touching.values() for key, _ in shingles}
    sizes = {len(key) for key in keys}
    now, then = after.counts(sizes), before.counts(sizes)
    grown = {
        key: {"before": then[key], "after": now[key]}
        for key in keys
        if now[key] >= settings.duplicate_threshold and now[key] > then[key]
    }
    if not grown:
        return []
    in_after = after.occurrences(grown)
    found = []
    for edit in edits:
        candidates = [(key, k) for key, k in touching[edit.op_index] if key in grown]
        if edit.is_write:  # every copy of a write's shingle is inserted text
            candidates = [
                (key, k)
                for key in dict.fromkeys(key for key, _ in candidates)
                for k in in_after[key]
            ]
        hit = _close_copy(candidates, in_after, settings)
        if hit is not None:
            key, k, distance = hit
            counts = grown[key] | {"distance": distance}
            found.append(
                finding(
                    change,
                    settings,
                    ReasonCode.DUPLICATE_BLOCK,
                    edit.op_index,
                    pos=after.starts[k],
                    excerpt="\n".join(key),
                    counts=counts,
                )
            )
    return found


def _close_copy(
    candidates: list[tuple[Shingle, int]],
    in_after: dict[Shingle, list[int]],
    settings: EditSettings,
) -> tuple[Shingle, int, int] | None:
    """The first candidate with another copy within the window, and the distance to it."""
    for key, k in candidates:
        distance = min(abs(k - other) for other in in_after[key] if other != k)
        if distance <= settings.duplicate_window:
            return key, k, distance
    return None


def lcs_length(a: str, b: str) -> int:
    """Length of the longest common subsequence, bit-parallel (Hyyro 2004): O(len(a)) big-int ops."""
    masks: dict[str, int] = {}
    for i, char in enumerate(b):
        masks[char] = masks.get(char, 0) | (1 << i)
    full = (1 << len(b)) - 1
    row = full
    for char in a:
        match = row & masks.get(char, 0)
        row = ((row + match) | (row - match)) & full
    return len(b) - row.bit_count()


def _ratio(a: str, b: str, settings: EditSettings) -> float:
    """SequenceMatcher ratio, or 0.0 when an upper bound already falls short of the floor."""
    limit, floor = settings.near_duplicate_max_chars, settings.near_duplicate_similarity
    a, b = a[:limit], b[:limit]
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < floor or matcher.quick_ratio() < floor:
        return 0.0
    # quick_ratio barely filters prose (letter frequencies are alike), and ratio() takes seconds
    # on 5000-char paragraphs. The matching blocks form a common subsequence, so 2*LCS/total
    # bounds the ratio from above: the same decisions, at a few milliseconds a pair.
    if 2 * lcs_length(a, b) < floor * (len(a) + len(b)):
        return 0.0
    return matcher.ratio()


@dataclass
class _Alignment:
    """Normalized paragraphs around an edit; for each after one, its before one and newness."""

    before: list[str]
    after: list[str]
    aligned: list[int | None] = field(init=False)
    new: list[bool] = field(init=False)

    def __post_init__(self) -> None:
        self.aligned, self.new = [None] * len(self.after), [True] * len(self.after)
        matcher = SequenceMatcher(None, self.before, self.after, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            for j in range(j1, j2):
                i = i1 + (j - j1)
                if tag == "equal":
                    self.aligned[j], self.new[j] = i, False
                elif tag == "replace" and i < i2:
                    self.aligned[j] = i

    def similar_neighbour(self, j: int, settings: EditSettings) -> dict[str, float] | None:
        """Counts for the first neighbour that new paragraph j nearly repeats, if any."""
        floor = settings.near_duplicate_similarity
        for k, other in enumerate(self.after):
            sim = 0.0 if k == j else _ratio(self.after[j], other, settings)
            if sim < floor:
                continue
            bj, bk = self.aligned[j], None if self.new[k] else self.aligned[k]
            was = (
                0.0
                if bj is None or bk is None
                else _ratio(self.before[bj], self.before[bk], settings)
            )
            if was < floor:  # the pair was not similar before: the edit made the repetition
                return {"similarity": round(sim, 3), "similarity_before": round(was, 3)}
        return None


def near_duplicate_block(change: Change, settings: EditSettings) -> list[Diagnostic]:
    """A new paragraph at least 80 % similar to a neighbour that its original was not."""
    edits = [e for e in change.edits if not isinstance(e.op, WriteOp) and not e.allows_duplicates]
    if not edits:
        return []
    anchors = settings.near_duplicate_neighbourhood + 1
    found: dict[tuple[int, int | None], Diagnostic] = {}
    for edit in edits:
        before = Paragraphs.around(change.before, edit.start, edit.end, anchors)
        after = Paragraphs.around(change.after, edit.after_start, edit.after_end, anchors)
        for diagnostic in _near_duplicates(change, edit, before, after, settings):
            found.setdefault((edit.op_index, diagnostic["line"]), diagnostic)
    return list(found.values())


def _near_duplicates(
    change: Change, edit: Edit, before: Paragraphs, after: Paragraphs, settings: EditSettings
) -> list[Diagnostic]:
    radius = settings.near_duplicate_neighbourhood
    b_window = before.window(edit.start, edit.end, radius)
    a_window = after.window(edit.after_start, edit.after_end, radius)
    alignment = _Alignment(
        [before.normal(i) for i in b_window], [after.normal(j) for j in a_window]
    )
    found = []
    for j, paragraph in enumerate(alignment.after):
        if not alignment.new[j] or len(paragraph) < settings.near_duplicate_min_chars:
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
                    excerpt=paragraph,
                    counts=counts,
                )
            )
    return found
