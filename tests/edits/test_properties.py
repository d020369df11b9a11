"""Properties over random files and ops: exact bytes, untouched bytes, exact local windows."""

from __future__ import annotations

import itertools
from difflib import SequenceMatcher

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from gitbench.edits.apply import apply_file
from gitbench.edits.codec import View, decode
from gitbench.edits.duplicates import duplicate_paragraph, lcs_length
from gitbench.edits.paragraphs import SEPARATOR, Paragraphs, normalize
from gitbench.edits.reasons import ReasonCode
from gitbench.edits.results import FileResult, Rejection
from gitbench.edits.settings import EditSettings
from tests.edits.builders import replace, write

# Unicode that trips naive code: a combining accent, U+2028 and form feed (splitlines would
# break on them), astral and wide characters, tabs. No "\r": the EOL is chosen separately.
ALPHABET = st.sampled_from(list("ab xy\té\u0301ß日\u2028\x0c😀_.-"))
LINE = st.text(ALPHABET, max_size=12)
NO_INSPECTOR = EditSettings(inspector=False)
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def files(draw: st.DrawFn) -> tuple[bytes, str, str, bool]:
    """(bytes, view text, eol, bom) for LF or CRLF files, with or without a final newline."""
    lines = draw(st.lists(LINE, min_size=1, max_size=12))
    eol, bom = draw(st.sampled_from(["\n", "\r\n"])), draw(st.booleans())
    text = "\n".join(lines) + ("\n" if draw(st.booleans()) else "")
    data = (b"\xef\xbb\xbf" if bom else b"") + text.replace("\n", eol).encode()
    return data, text, eol, bom


def _only_at(text: str, start: int, end: int) -> bool:
    """text[start:end] occurs nowhere else, not even overlapping itself."""
    needle = text[start:end]
    return text.find(needle) == start and text.find(needle, start + 1) < 0


def _unique_regions(text: str, starts: list[int]) -> list[tuple[int, int]]:
    """Grow a region from each start until its text is unique; drop overlapping ones."""
    regions: list[tuple[int, int]] = []
    for start in sorted(set(starts)):
        if regions and start < regions[-1][1]:
            continue
        end = next((e for e in range(start + 1, len(text) + 1) if _only_at(text, start, e)), None)
        if end is not None:
            regions.append((start, end))
    return regions


def _encode(text: str, eol: str, bom: bool) -> bytes:
    return (b"\xef\xbb\xbf" if bom else b"") + text.replace("\n", eol).encode()


@FAST
@given(files(), st.lists(st.integers(0, 200), min_size=1, max_size=4), st.data())
def test_unique_anchor_replaces_give_exact_bytes_and_keep_the_rest(file, picks, data):
    raw, text, eol, bom = file
    eol = eol if "\n" in text else "\n"  # a file without line breaks is not a CRLF file
    regions = _unique_regions(text, [p % max(1, len(text)) for p in picks])
    if not regions:
        return
    texts = [data.draw(st.text(st.sampled_from(list("XY \né\u2028")), max_size=6)) for _ in regions]
    ops = [
        replace(text[s:e], new)
        for (s, e), new in zip(regions, texts, strict=True)
        if text[s:e] != new
    ]
    kept = [(s, e, new) for (s, e), new in zip(regions, texts, strict=True) if text[s:e] != new]
    result = apply_file("f", raw, ops, settings=NO_INSPECTOR)
    assert isinstance(result, FileResult), result
    event(f"{len(ops)} ops")

    expected_view, pos, pieces = "", 0, []
    for s, e, new in kept:
        pieces += [text[pos:s], new]
        pos = e
    expected_view = "".join([*pieces, text[pos:]])
    assert result.new_bytes == _encode(expected_view, eol, bom)

    # Bytes between the edited regions are the original bytes, in order and unchanged.
    untouched = [
        text[a:b]
        for a, b in itertools.pairwise(
            [0, *itertools.chain(*[(s, e) for s, e, _ in kept]), len(text)]
        )
    ][::2]
    cursor = 0
    for segment in untouched:
        encoded = segment.replace("\n", eol).encode()
        found = result.new_bytes.find(encoded, cursor)
        assert found >= cursor
        cursor = found + len(encoded)

    reread = decode(result.new_bytes, path="f")
    assert isinstance(reread, View)
    assert (reread.text, reread.bom) == (expected_view, bom)
    if "\n" in expected_view:
        assert reread.eol == ("crlf" if eol == "\r\n" else "lf")


@FAST
@given(files())
def test_writing_back_the_view_is_byte_identical(file):
    raw, text, _, _ = file
    result = apply_file("f", raw, [write(text)])
    assert isinstance(result, FileResult), result
    assert (result.new_bytes, result.new_blob) == (raw, result.old_blob)


PARA_TEXT = st.text(st.sampled_from(list("ab \t\n")), max_size=60)


def _full_spans(text: str) -> list[tuple[int, int]]:
    return Paragraphs(text).spans


@FAST
@given(PARA_TEXT, st.integers(0, 60), st.integers(0, 60), st.integers(1, 4))
def test_local_paragraph_windows_equal_the_whole_text_segmentation(text, a, b, anchors):
    lo, hi = sorted((a % (len(text) + 1), b % (len(text) + 1)))
    full, local = _full_spans(text), Paragraphs.around(text, lo, hi, anchors).spans
    first = full.index(local[0])
    assert full[first : first + len(local)] == local  # a contiguous run of the real paragraphs
    whole = Paragraphs(text)
    low, high = whole.index_at(lo), whole.index_at(hi)
    assert first <= max(0, low - (anchors - 1))
    assert first + len(local) - 1 >= min(len(full) - 1, high + anchors - 1)


def test_windows_reach_back_past_a_long_paragraph():
    text = "a.\n\nb.\n\n" + "word " * 5000 + "x.\n\nend.\n"
    lo = len(text) - 3
    spans = Paragraphs.around(text, lo, lo, anchors=3).spans
    assert spans == Paragraphs(text).spans[1:]


def test_windows_skip_separators_after_trailing_blanks():
    text = "a. \n\nb.\n\nc.\n\nd."  # the first separator follows a space: not an anchor
    assert Paragraphs.around(text, 0, 0, anchors=2).spans == [(0, 3), (5, 7), (9, 11)]


def _reference_duplicate_paragraph(before: str, after: str, spans: list[tuple[int, int]]) -> bool:
    """The spec's rule over whole files, written independently of the windowed one."""

    Paragraph = tuple[int, int, str]

    def pairs(text: str) -> list[tuple[Paragraph, Paragraph]]:
        cuts, start = [], 0
        for match in SEPARATOR.finditer(text):
            cuts.append((start, match.start()))
            start = match.end()
        cuts.append((start, len(text)))
        filled = [(s, e, normalize(text[s:e])) for s, e in cuts if normalize(text[s:e])]
        return [(a, b) for a, b in itertools.pairwise(filled) if a[2] == b[2]]

    def meets(member: Paragraph) -> bool:
        return any(member[0] < end and start < member[1] for start, end in spans if start < end)

    old, new = pairs(before), pairs(after)
    return len(new) > len(old) and any(meets(a) or meets(b) for a, b in new)


PARAGRAPHS = st.lists(st.sampled_from(["x", "y", "x  y", "x y", "z"]), min_size=1, max_size=30)
SEPARATORS = st.sampled_from(["\n\n", "\n \n", "\n\n\n", "\n"])


@FAST
@given(PARAGRAPHS, st.data())
def test_windowed_duplicate_paragraph_agrees_with_the_whole_file_rule(paragraphs, data):
    before = "".join(p + data.draw(SEPARATORS) for p in paragraphs)
    picks = data.draw(st.lists(st.integers(0, len(before) - 1), min_size=1, max_size=3))
    pieces = st.sampled_from(["x", "y", "z", "\n\n", " ", "\n\nx", "x\n\n", "\n\nx y"])
    insert = st.lists(pieces, max_size=6).map("".join)
    edits = [(s, e, data.draw(insert)) for s, e in _unique_regions(before, picks)]
    edits = [(s, e, new) for s, e, new in edits if new != before[s:e]]
    if not edits:
        return
    pieces, spans, pos, length = [], [], 0, 0
    for s, e, new in edits:
        pieces += [before[pos:s], new]
        length += s - pos
        spans.append((length, length + len(new)))
        length, pos = length + len(new), e
    after = "".join([*pieces, before[pos:]])
    ops = [replace(before[s:e], new) for s, e, new in edits]
    only = ((ReasonCode.DUPLICATE_PARAGRAPH, duplicate_paragraph),)
    result = apply_file("f", before.encode(), ops, checks=only)
    expected = _reference_duplicate_paragraph(before, after, spans)
    assert isinstance(result, Rejection) == expected, (before, after)


def _lcs_by_table(a: str, b: str) -> int:
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0]
        for j, y in enumerate(b):
            current.append(previous[j] + 1 if x == y else max(previous[j + 1], current[j]))
        previous = current
    return previous[-1]


SHORT = st.text(st.sampled_from(list("ab c\n")), max_size=25)


@FAST
@given(SHORT, SHORT)
def test_bit_parallel_lcs_equals_the_table(a, b):
    assert lcs_length(a, b) == _lcs_by_table(a, b)


@FAST
@given(SHORT, SHORT)
def test_lcs_bound_never_undercuts_the_sequence_matcher_ratio(a, b):
    # Why the near-duplicate pre-filter changes no decision: ratio <= 2 * LCS / total.
    ratio = SequenceMatcher(None, a, b, autojunk=False).ratio()
    assert 2 * lcs_length(a, b) >= ratio * (len(a) + len(b)) - 1e-9
