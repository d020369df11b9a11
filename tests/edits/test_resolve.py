"""Resolving ops against the original view: exact matches, precise refusals, hints."""

from __future__ import annotations

import pytest

from gitbench.edits.apply import apply_file
from gitbench.edits.reasons import ReasonCode, Stage
from gitbench.edits.results import FileResult, Rejection
from gitbench.edits.settings import EditSettings
from tests.edits.builders import lines, replace, write


def _applied(before: bytes, *ops, **options) -> bytes:
    result = apply_file("x.txt", before, list(ops), **options)
    assert isinstance(result, FileResult), result
    assert result.new_bytes is not None
    return result.new_bytes


def _refused(before: bytes, reason: ReasonCode, *ops, **options) -> Rejection:
    result = apply_file("x.txt", before, list(ops), **options)
    assert isinstance(result, Rejection), result
    assert result.reason is reason, result
    assert (result.stage, result.path) == (Stage.RESOLVE, "x.txt")
    return result


def test_t04_ambiguous_match_reports_count_and_lines():
    result = _refused(b"foo\nbar foo\n", ReasonCode.AMBIGUOUS_MATCH, replace("foo", "baz"))
    assert result.diagnostics == [{"op_index": 0, "count": 2, "lines": [1, 2]}]
    assert result.retryable


def test_ambiguous_match_lists_at_most_five_lines():
    result = _refused(b"a\n" * 7, ReasonCode.AMBIGUOUS_MATCH, replace("a", "b"))
    assert result.diagnostics[0]["count"] == 7
    assert result.diagnostics[0]["lines"] == [1, 2, 3, 4, 5]


def test_t05_occurrence_changes_only_that_match():
    assert _applied(b"foo and foo\n", replace("foo", "FOO", occurrence=2)) == b"foo and FOO\n"
    assert _applied(b"foo and foo\n", replace("foo", "FOO", occurrence=1)) == b"FOO and foo\n"


def test_occurrence_past_the_count_is_no_match():
    result = _refused(b"foo foo\n", ReasonCode.NO_MATCH, replace("foo", "x", occurrence=3))
    assert result.diagnostics == [{"op_index": 0, "count": 2, "occurrence": 3}]


def test_t06_no_match_hints_whitespace_differs_with_the_line():
    result = _refused(b"intro\nhello  world\n", ReasonCode.NO_MATCH, replace("hello world", "hi"))
    assert result.diagnostics == [
        {"op_index": 0, "count": 0, "hint": "whitespace_differs", "line": 2}
    ]


def test_whitespace_hint_ignores_indentation_and_tabs():
    before = b"def f():\n\tif x:\n\t\treturn 1\n"
    result = _refused(before, ReasonCode.NO_MATCH, replace("if x:\n    return 1", "pass"))
    assert result.diagnostics[0]["hint"] == "whitespace_differs"


def test_no_match_hints_unicode_normalization():
    decomposed = "cafe\u0301 au lait\n".encode()
    result = _refused(decomposed, ReasonCode.NO_MATCH, replace("caf\u00e9", "tea"))
    assert result.diagnostics[0]["hint"] == "unicode_normalization_differs"
    assert result.diagnostics[0]["line"] == 1


def test_no_match_without_a_lookalike_has_no_hint():
    result = _refused(b"alpha\n", ReasonCode.NO_MATCH, replace("omega", "x"))
    assert result.diagnostics[0]["hint"] is None
    assert "hint" not in result.detail


def test_whitespace_hint_needs_exactly_one_candidate():
    result = _refused(b"a  b\na   b\n", ReasonCode.NO_MATCH, replace("a b", "c"))
    assert result.diagnostics[0]["hint"] is None


def test_t07_replace_all_with_a_wrong_count_is_count_mismatch():
    result = _refused(
        b"TODO one\nTODO two\n",
        ReasonCode.COUNT_MISMATCH,
        replace("TODO", "DONE", replace_all=True, expect_count=3),
    )
    assert result.diagnostics == [{"op_index": 0, "count": 2, "expected": 3}]


def test_replace_all_with_the_right_count_changes_every_match():
    op = replace("TODO", "DONE", replace_all=True, expect_count=2)
    assert _applied(b"TODO one\nTODO two\n", op) == b"DONE one\nDONE two\n"


def test_t08_overlapping_ops_name_both_op_indexes():
    result = _refused(
        b"abcdef", ReasonCode.OVERLAPPING_OPS, replace("abcd", "x"), replace("cdef", "y")
    )
    assert result.diagnostics == [{"op_indexes": [0, 1]}]


def test_adjacent_ops_are_allowed_and_resolved_against_the_original():
    assert _applied(b"abcdef", replace("def", "DEF"), replace("abc", "ABC")) == b"ABCDEF"
    # The second op addresses the original text, not the result of the first one.
    assert _applied(b"ab", replace("a", "b"), replace("b", "c")) == b"bc"


def test_two_insertions_at_the_same_point_overlap():
    _refused(b"a\nb\n", ReasonCode.OVERLAPPING_OPS, lines(2, 1, "", "x"), lines(2, 1, "", "y"))


def test_insertion_just_before_a_replaced_region_is_allowed():
    assert _applied(b"a\nb\n", lines(2, 1, "", "x"), lines(2, 2, "b", "B")) == b"a\nx\nB\n"


def test_mixed_eol_file_reports_eol_ambiguous_for_a_normalized_search():
    before = b"one\r\ntwo\nthree\n"
    result = _refused(before, ReasonCode.EOL_AMBIGUOUS, replace("one\ntwo", "1\n2"))
    assert result.diagnostics == [{"op_index": 0}]


def test_mixed_eol_file_matches_the_raw_view():
    before = b"one\r\ntwo\nthree\n"
    assert _applied(before, replace("one\r\ntwo", "1\r\n2")) == b"1\r\n2\nthree\n"


@pytest.mark.parametrize(
    ("op", "expected"),
    [
        (lines(2, 2, "l2", "L2"), b"l1\nL2\nl3\n"),
        (lines(2, 3, "l2\nl3", "only"), b"l1\nonly\n"),
        (lines(2, 2, "l2", "a\nb"), b"l1\na\nb\nl3\n"),
        (lines(2, 1, "", "new"), b"l1\nnew\nl2\nl3\n"),
        (lines(1, 0, "", "top"), b"top\nl1\nl2\nl3\n"),
        (lines(4, 3, "", "end"), b"l1\nl2\nl3\nend\n"),
        (lines(2, 2, "l2", ""), b"l1\nl3\n"),
        (lines(1, 3, "l1\nl2\nl3", ""), b""),
        (lines(3, 4, "l3\n", ""), b"l1\nl2"),
        (lines(2, 1, "", ""), b"l1\nl2\nl3\n"),
    ],
)
def test_replace_lines_follows_split_lines(op, expected):
    before = b"l1\nl2\nl3\n"
    result = apply_file("x.txt", before, [op])
    assert isinstance(result, FileResult)
    assert result.new_bytes == expected
    # The rule in resolve's docstring, checked independently of the implementation:
    old = before.decode().split("\n")
    new = [] if op.new_text == "" else op.new_text.split("\n")
    assert "\n".join(old[: op.start_line - 1] + new + old[op.end_line :]).encode() == expected


def test_replace_lines_after_the_last_line_of_a_file_without_final_newline():
    assert _applied(b"a\nb", lines(3, 2, "", "c")) == b"a\nb\nc"
    assert _applied(b"a\nb", lines(2, 2, "b", "")) == b"a"
    assert _applied(b"only", lines(1, 1, "only", "")) == b""


@pytest.mark.parametrize(("start", "end"), [(5, 5), (2, 5), (3, 1), (6, 5)])
def test_replace_lines_out_of_range(start, end):
    result = _refused(b"a\nb\n", ReasonCode.LINE_OUT_OF_RANGE, lines(start, end, "", "x"))
    assert result.diagnostics[0]["line_count"] == 3


def test_old_text_mismatch_names_line_and_column_without_quoting_the_file():
    before = b"first\nsecond line\n"
    result = _refused(before, ReasonCode.OLD_TEXT_MISMATCH, lines(1, 2, "first\nsecond lime", "x"))
    assert result.diagnostics == [{"op_index": 0, "line": 2, "column": 10}]
    assert "second" not in result.model_dump_json()


def test_old_text_mismatch_quotes_both_sides_when_excerpts_are_enabled():
    settings = EditSettings(excerpts=True)
    result = _refused(
        b"abc\n", ReasonCode.OLD_TEXT_MISMATCH, lines(1, 1, "abd", "x"), settings=settings
    )
    assert result.diagnostics[0] | {} == {
        "op_index": 0,
        "line": 1,
        "column": 3,
        "expected": "abd",
        "actual": "abc",
    }


def test_old_text_that_is_a_prefix_reports_the_column_after_it():
    result = _refused(b"abc\n", ReasonCode.OLD_TEXT_MISMATCH, lines(1, 1, "ab", "x"))
    assert result.diagnostics[0]["column"] == 3


def test_t19_crlf_file_takes_lf_ops_and_stays_crlf():
    before = b"one\r\ntwo\r\nthree\r\nfour\r\n"
    after = _applied(before, replace("two\nthree", "2\n3\n3.5"))
    assert after == b"one\r\n2\r\n3\r\n3.5\r\nfour\r\n"
    assert b"\n" not in after.replace(b"\r\n", b"")


def test_crlf_inserted_text_is_not_doubled():
    assert _applied(b"a\r\nb\r\n", replace("a", "x\r\ny")) == b"x\r\ny\r\nb\r\n"


def test_bom_and_missing_final_newline_survive_an_edit():
    assert (
        _applied(b"\xef\xbb\xbfalpha beta", replace("beta", "gamma")) == b"\xef\xbb\xbfalpha gamma"
    )


@pytest.mark.parametrize(
    ("before", "content", "expected"),
    [
        (b"a\n", "b", b"b\n"),
        (b"a", "b\n\n", b"b"),
        (b"a\r\n", "b", b"b\r\n"),
        (b"a\r\nb\n\r\n", "c", b"c\r\n"),
        (b"", "new\n", b"new\n"),
        (b"a\n", "", b""),
    ],
)
def test_write_keeps_the_final_newline_state(before, content, expected):
    # allow_large_change: these shrink tiny files, which token_drift would rightly refuse.
    assert _applied(before, write(content, allow_large_change=True)) == expected


def test_write_final_newline_rule_can_be_switched_off():
    settings = EditSettings(write_keeps_final_newline=False)
    assert _applied(b"a b\n", write("a c"), settings=settings) == b"a c"


def test_unicode_line_separators_are_not_line_breaks():
    before = "one\u2028two\x0cthree\nfour\n".encode()
    assert _applied(before, lines(2, 2, "four", "4")) == "one\u2028two\x0cthree\n4\n".encode()
