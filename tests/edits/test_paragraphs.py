"""Long paragraphs (a file without blank lines) are compared without normalizing them whole."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gitbench.edits.apply import apply_file
from gitbench.edits.paragraphs import LONG, Paragraphs, normalize, same_normal
from gitbench.edits.results import FileResult
from gitbench.edits.schema import ReplaceOp

WORDS = " ".join(f"w{i}  x{i % 7}\t" for i in range(LONG // 8))  # > LONG chars, no blank line


def _key_equal(a: str, b: str) -> bool:
    return Paragraphs(a).key(0) == Paragraphs(b).key(0)


def test_the_head_of_a_long_paragraph_is_the_head_of_its_normal_form():
    paragraphs = Paragraphs(WORDS)
    assert paragraphs.is_long(0)
    for size in (1, 200, 5000, len(WORDS)):
        assert paragraphs.head(0, size) == normalize(WORDS)[:size]
    assert paragraphs.head(0, 200) is paragraphs.head(0, 200)  # cached


@pytest.mark.parametrize(
    ("other", "equal"),
    [
        (WORDS, True),
        (WORDS.replace("w8000 ", "w8000   \t "), True),  # whitespace only, deep inside
        ("  " + WORDS.replace("\t", " ") + "\n ", True),
        (WORDS.replace("w8000 ", "w8001 "), False),  # a word, deep inside
        (WORDS.replace("w8000 ", "w80 00 "), False),  # a word split in two
        (WORDS.replace("w5 ", "W5 "), False),  # near the start: hashes differ
        (WORDS + "tail", False),
        (WORDS[:-200], False),
    ],
)
def test_long_paragraphs_are_equal_when_their_normal_forms_are(other, equal):
    assert _key_equal(WORDS, other) is equal
    assert (normalize(WORDS) == normalize(other)) is equal


def test_same_normal_cuts_at_whitespace_so_no_word_straddles_a_cut():
    assert same_normal(("ab cd", 0, 5), ("ab  cd", 0, 6))
    assert not same_normal(("abc d", 0, 5), ("ab cd", 0, 5))
    assert not same_normal(("x abc", 0, 5), ("x ab c", 0, 6))


def test_short_and_long_keys_compare_and_blank_paragraphs_are_found_by_search():
    paragraphs = Paragraphs("one\n\n \t \n\ntwo\n\none\n")
    assert [paragraphs.blank(i) for i in range(4)] == [False, True, False, False]
    assert list(paragraphs.filled()) == [0, 2, 3]
    assert paragraphs.key(0) == paragraphs.key(3) != paragraphs.key(2)
    assert paragraphs.key(0) != "one"
    assert Paragraphs(WORDS).key(0) != paragraphs.key(0)


def test_edits_in_a_file_without_blank_lines_are_inspected_and_applied():
    lines = "\n".join(f'{{"id": {i}, "name": "item {i}", "tags": ["a", "b"]}}' for i in range(4000))
    ops = [
        ReplaceOp(op="replace", search=f'"name": "item {i}"', replace=f'"name": "thing {i}"')
        for i in (10, 2000, 3999)
    ]
    result = apply_file("data.jsonl", lines.encode(), ops)
    assert isinstance(result, FileResult), result
    assert (
        result.new_bytes
        == lines.replace('"item 10"', '"thing 10"')
        .replace('"item 2000"', '"thing 2000"')
        .replace('"item 3999"', '"thing 3999"')
        .encode()
    )


def test_the_head_of_a_mostly_blank_long_paragraph_reads_further():
    text = "a" + " " * (LONG + 10) + "b c d"
    assert Paragraphs(text).head(0, 3) == "a b"


SPACED = st.text(st.sampled_from(list("ab \t\n\u00a0é")), max_size=30)


@given(SPACED, SPACED, SPACED, SPACED)
def test_same_normal_agrees_with_normalizing_whole(head, x_middle, y_middle, tail):
    x, y = head + x_middle + tail, head + y_middle + tail
    assert same_normal((x, 0, len(x)), (y, 0, len(y))) == (normalize(x) == normalize(y))
    padded = "zz" + x + "zz"
    assert same_normal((padded, 2, 2 + len(x)), (y, 0, len(y))) == (normalize(x) == normalize(y))


def test_a_paragraph_that_is_one_long_word_is_compared_without_walking_it():
    word = "Q" * (3 * LONG)
    changed = word[: LONG + 5] + "R" + word[LONG + 6 :]
    assert not _key_equal(word, changed)
    assert _key_equal(word, " " + word + "\t")
