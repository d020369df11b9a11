"""A write's changed spans: exact (the splice gives the new text), whole lines, and small."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gitbench.edits.linediff import changed_spans


def _spliced(before: str, after: str, spans: list[tuple[int, int, int, int]]) -> str:
    out, pos = [], 0
    for b0, b1, a0, a1 in spans:
        assert pos <= b0 <= b1
        assert b0 == 0 or before[b0 - 1] == "\n"  # whole lines
        assert a0 == 0 or after[a0 - 1] == "\n"
        out += [before[pos:b0], after[a0:a1]]
        pos = b1
    return "".join([*out, before[pos:]])


LINES = st.lists(st.sampled_from(["a", "b", "", "c c", "dd", "x"]), max_size=25)


@given(LINES, LINES, st.booleans(), st.booleans())
def test_the_spans_turn_before_into_after(old, new, old_eol, new_eol):
    before = "\n".join(old) + ("\n" if old_eol else "")
    after = "\n".join(new) + ("\n" if new_eol else "")
    spans = changed_spans(before, after)
    assert _spliced(before, after, spans) == after
    assert (spans == []) == (before == after)


@pytest.mark.parametrize(
    ("after", "spans"),
    [
        ("l0\nl1\nCHANGED\nl3\nl4\n", [(6, 9, 6, 14)]),  # one line modified
        ("l0\nl1\nNEW\nl2\nl3\nl4\n", [(6, 6, 6, 10)]),  # one line inserted
        ("l0\nl1\nl3\nl4\n", [(6, 9, 6, 6)]),  # one line deleted
        ("X\nl1\nl2\nl3\nY\n", [(0, 3, 0, 2), (12, 15, 11, 13)]),  # both ends, apart
    ],
)
def test_small_changes_give_the_changed_lines_only(after, spans):
    assert changed_spans("l0\nl1\nl2\nl3\nl4\n", after) == spans


def test_scattered_changes_in_a_long_text_stay_separate_and_small():
    rng = random.Random(7)
    lines = [f"line {i} " + "word " * rng.randint(0, 12) for i in range(30_000)]
    changed = sorted(rng.sample(range(len(lines)), 30))
    new = list(lines)
    for i in changed:
        new[i] += "edited"
    new.insert(15_000, "an inserted line")
    del new[25_000]
    before, after = "\n".join(lines) + "\n", "\n".join(new) + "\n"
    spans = changed_spans(before, after)
    assert _spliced(before, after, spans) == after
    assert len(spans) <= 32
    assert sum(b1 - b0 for b0, b1, _, _ in spans) < 3000


def test_texts_that_never_meet_again_are_one_span():
    before = "".join(f"old {i}\n" for i in range(2000))
    after = "".join(f"new {i}\n" for i in range(2000))
    assert changed_spans(before, after) == [(0, len(before), 0, len(after))]


def test_a_resync_far_ahead_is_found_by_looking_further():
    block = "".join(f"inserted {i}\n" for i in range(500))  # > the first look-ahead
    before = "".join(f"kept {i}\n" for i in range(50))
    after = block + before
    assert changed_spans(before, after) == [(0, 0, 0, len(block))]


def test_the_nearest_resync_wins_over_a_line_that_only_matches_further_on():
    # "a" first matches "a" at once, but the lines after it differ; the match three lines on
    # goes on alike, and "z" matching later is no nearer.
    assert changed_spans("p\na\nz\n", "a\ny\nq\na\nz\n") == [(0, 2, 0, 6)]
