"""Inspector v2: each check catches its fault, lets the benign neighbour through, fails closed."""

from __future__ import annotations

import textwrap

import pytest

from gitbench.edits.apply import apply_file
from gitbench.edits.change import Change
from gitbench.edits.inspector import CHECKS, inspect
from gitbench.edits.reasons import ReasonCode, Stage
from gitbench.edits.results import FileResult, Rejection
from gitbench.edits.settings import EditSettings
from tests.edits.builders import lines, replace, write

WORDS = [
    *("river", "stone", "lantern", "harbor", "meadow", "violet", "copper", "thunder", "willow"),
    *("ember", "canyon", "orchard", "falcon", "glacier", "saffron", "prairie", "cobalt"),
    *("marble", "juniper", "tundra"),
]


def _paragraph(seed: int, words: int = 60) -> str:
    text = " ".join(
        WORDS[(seed * 7 + i * 3 + i * i) % len(WORDS)] + str(i % 9) for i in range(words)
    )
    return textwrap.fill(f"P{seed} {text}.", 72)


def _reworded(paragraph: str) -> str:
    """About 90 % similar: one word changed on every other line (so no 3 lines repeat)."""
    out = []
    for i, line in enumerate(paragraph.split("\n")):
        first, _, rest = line.partition(" ")
        out.append(f"{first} changed {rest}" if i % 2 == 0 else line)
    return "\n".join(out)


P1, P2, P3 = _paragraph(1), _paragraph(2), _paragraph(3)
STORY = f"{P1}\n\n{P2}\n\n{P3}\n"
LAST_LINE_OF_P2 = P2.split("\n")[-1]


def _refused(before: str, reason: ReasonCode, *ops, **options) -> Rejection:
    result = apply_file("story.md", before.encode(), list(ops), **options)
    assert isinstance(result, Rejection), result
    assert result.reason is reason, result
    assert (result.stage, result.path) == (Stage.INSPECT, "story.md")
    return result


def _accepted(before: str, *ops, **options) -> str:
    result = apply_file("story.md", before.encode(), list(ops), **options)
    assert isinstance(result, FileResult), result
    assert result.new_bytes is not None
    return result.new_bytes.decode()


def test_fixture_paragraphs_are_long_and_the_rewording_is_about_ninety_percent_similar():
    from difflib import SequenceMatcher

    assert min(len(P1), len(P2), len(P3)) >= 200
    assert 0.85 <= SequenceMatcher(None, P2, _reworded(P2), autojunk=False).ratio() < 1


def test_t12_rewrite_appended_after_the_original_is_near_duplicate_block():
    op = replace(LAST_LINE_OF_P2, LAST_LINE_OF_P2 + "\n\n" + _reworded(P2))
    result = _refused(STORY, ReasonCode.NEAR_DUPLICATE_BLOCK, op)
    (diagnostic,) = result.diagnostics
    p2_copy_line = STORY.count("\n", 0, STORY.index(P3))  # where P3 was is now the rewrite
    assert diagnostic["line"] == p2_copy_line + 1
    assert diagnostic["counts"]["similarity"] >= 0.8
    assert diagnostic["counts"]["similarity_before"] == 0.0
    assert diagnostic["excerpt"] is None  # no file text unless excerpts are enabled


def test_t12_exact_copy_appended_is_duplicate_block():
    op = replace(LAST_LINE_OF_P2, LAST_LINE_OF_P2 + "\n\n" + P2)
    result = _refused(STORY, ReasonCode.DUPLICATE_BLOCK, op)
    checks = {d["check"] for d in result.diagnostics}
    assert {"duplicate_block", "duplicate_paragraph"} <= checks
    assert all(isinstance(d["line"], int) for d in result.diagnostics)


@pytest.mark.parametrize("copy", [P2, _reworded(P2)])
def test_t12_allow_duplicates_accepts_the_same_op(copy):
    op = replace(LAST_LINE_OF_P2, LAST_LINE_OF_P2 + "\n\n" + copy, allow_duplicates=True)
    assert _accepted(STORY, op) == f"{P1}\n\n{P2}\n\n{copy}\n\n{P3}\n"


def test_rewriting_a_paragraph_in_place_is_accepted():
    assert _accepted(STORY, replace(P2, _reworded(P2))) == f"{P1}\n\n{_reworded(P2)}\n\n{P3}\n"


def test_editing_one_of_two_similar_refrains_is_accepted():
    refrain = _paragraph(5)
    before = f"{refrain}\n\n{P1}\n\n{_reworded(refrain)}\n"
    first_line = refrain.split("\n")[0]
    assert _accepted(before, replace(first_line, first_line + " again"))


def test_inserting_a_near_copy_of_a_paragraph_far_away_is_accepted():
    far = "\n\n".join(_paragraph(10 + i) for i in range(5))
    before = f"{P2}\n\n{far}\n"
    tail = far.split("\n")[-1]
    assert _accepted(before, replace(tail, tail + "\n\n" + _reworded(P2)))


def test_adjacent_duplicate_short_paragraph_is_duplicate_paragraph():
    before = "Intro.\n\nRefrain line.\n\nEnd.\n"
    result = _refused(
        before,
        ReasonCode.DUPLICATE_PARAGRAPH,
        replace("Refrain line.", "Refrain line.\n\nRefrain line."),
    )
    assert result.diagnostics[0]["line"] == 5
    assert result.diagnostics[0]["counts"] == {"pairs_before": 0, "pairs_after": 1}


def test_existing_adjacent_duplicates_do_not_block_other_edits():
    before = "Same.\n\nSame.\n\nOther text.\n"
    assert _accepted(before, replace("Other", "Another"))


def test_duplicates_made_only_by_deleting_are_not_flagged():
    # Deleting "Middle." makes "Same." adjacent to itself, but no inserted text is part of
    # the pair (the spec's rule), and the far-away insert is unrelated.
    filler = "\n\n".join(f"Filler {i}." for i in range(6))
    before = f"Same.\n\nMiddle.\n\nSame.\n\n{filler}\n\nTail.\n"
    after = _accepted(before, replace("Middle.\n\n", ""), replace("Tail", "End"))
    assert after == f"Same.\n\nSame.\n\n{filler}\n\nEnd.\n"


def test_blank_paragraphs_never_count_as_duplicates():
    assert _accepted("a\n\nb\n", replace("a\n\nb", "a\n\n\n\n\n\nb"))


CODE = "\n".join(f"def f{i}(x):\n    y = x + {i}\n    return y * {i}\n" for i in range(3)) + "\n"


def test_pasted_copy_of_nearby_lines_is_duplicate_block():
    block = "    y = x + 1\n    return y * 1\n"
    copy = "def f1(x):\n" + block
    result = _refused(CODE, ReasonCode.DUPLICATE_BLOCK, replace(block, block + copy))
    assert result.diagnostics[0]["counts"] == {"before": 1, "after": 2, "distance": 3}


def test_write_that_pastes_a_copy_is_duplicate_block():
    block = "def f1(x):\n    y = x + 1\n    return y * 1\n"
    result = _refused(CODE, ReasonCode.DUPLICATE_BLOCK, write(CODE.replace(block, block + block)))
    assert result.diagnostics[0]["counts"]["after"] == 2


def test_write_keeping_existing_repetition_is_not_a_duplicate_block():
    before = CODE + CODE
    assert _accepted(before, write(before.replace("return y * 2", "return y * 20", 1)))


def test_inserting_new_lines_is_not_a_duplicate_block():
    new = "def g(x):\n    z = x - 1\n    return z\n"
    assert _accepted(CODE, replace("def f0(x):", new + "def f0(x):"))


def test_copy_far_away_is_not_a_duplicate_block():
    block = "def f1(x):\n    y = x + 1\n    return y * 1\n"
    filler = "\n".join(f"line_{i} = {i}" for i in range(60))
    before = f"{CODE}{filler}\n"
    last = filler.split("\n")[-1]
    assert _accepted(before, replace(last, last + "\n" + block))


def _handlers(count: int, start: int = 0) -> str:
    return "".join(
        f"def handler_{i}(request):\n    if request is None:\n        raise ValueError('empty')\n"
        "    log.debug('handling')\n"
        f"    result = finish(request, {i})\n    return result\n\n\n"
        for i in range(start, start + count)
    )


def test_new_code_written_like_its_neighbours_is_accepted():
    # Its guard lines already repeat in every handler: the file's boilerplate, not a paste.
    before = _handlers(3)
    new = _handlers(1, start=7)
    assert _accepted(before, replace("def handler_2(", new + "def handler_2("))


def test_a_copy_of_boilerplate_seen_only_once_before_is_still_duplicate_block():
    before = _handlers(1) + "x = 1\n"
    result = _refused(before, ReasonCode.DUPLICATE_BLOCK, replace("x = 1", _handlers(1) + "x = 1"))
    assert result.diagnostics[0]["counts"]["before"] == 1


def test_two_blocks_inserted_close_together_are_each_checked():
    block = "    y = x + 1\n    return y * 1\n"
    fresh = "def g(x):\n    z = x - 1\n    return z\n"
    ops = [
        replace("def f0(x):", fresh + "def f0(x):"),
        replace(block, block + "def f1(x):\n" + block),
    ]
    result = _refused(CODE, ReasonCode.DUPLICATE_BLOCK, *ops)
    assert [d["op_index"] for d in result.diagnostics if d["check"] == "duplicate_block"] == [1]


def test_windows_without_the_pasted_words_are_skipped_and_change_nothing():
    block = "alpha = compute(1)\nbeta = compute(2)\ngamma = compute(3)\n"
    filler = "".join(f"line_{i} = {i}\n" for i in range(300))
    before = block + "x = 1\n" + filler
    paste = replace("x = 1", block + "x = 1")
    far = replace("line_250 = 250", "line_250 = 251")
    result = _refused(before, ReasonCode.DUPLICATE_BLOCK, paste, far)
    assert result.diagnostics[0]["counts"] == {"before": 1, "after": 2, "distance": 3}


def test_a_long_new_block_with_a_far_edit_is_accepted():
    block = "".join(f"fresh_{i} = make({i})\n" for i in range(40))  # more candidates than words
    filler = "".join(f"line_{i} = {i}\n" for i in range(300))
    before = "x = 1\n" + filler
    ops = [replace("x = 1", block + "x = 1"), replace("line_250 = 250", "line_250 = 251")]
    assert _accepted(before, *ops)


def test_copies_far_outside_the_edit_window_are_counted():
    # The window around the edit holds one copy; the other is 200 lines away, so the block
    # was already repeated before the edit and adding a third copy is boilerplate.
    block = "alpha = compute(1)\nbeta = compute(2)\ngamma = compute(3)\n"
    filler = "".join(f"line_{i} = {i}\n" for i in range(200))
    before = block + filler + block + "tail = 0\n"
    assert _accepted(before, replace("tail = 0", block + "tail = 0"))
    once = filler + block + "tail = 0\n"
    _refused(once, ReasonCode.DUPLICATE_BLOCK, replace("tail = 0", block + "tail = 0"))


def test_a_copy_that_replaces_one_deleted_far_away_is_not_a_duplicate_block():
    block = "alpha = compute(1)\nbeta = compute(2)\ngamma = compute(3)\n"
    filler = "".join(f"line_{i} = {i}\n" for i in range(200))
    before = "x = 1\n" + block + filler + block + "tail = 0\n"
    settings = EditSettings(duplicate_threshold=3)
    paste = replace("tail = 0", block + "tail = 0")
    _refused(before, ReasonCode.DUPLICATE_BLOCK, paste, settings=settings)
    # The same paste while a copy 200 lines away leaves: the count does not grow.
    assert _accepted(before, replace("x = 1\n" + block, "x = 1\n"), paste, settings=settings)


def test_long_line_copied_next_to_itself_is_duplicate_block():
    long_line = "x" * 60 + " " + "y" * 60
    before = f"head\n{long_line}\ntail\n"
    result = _refused(before, ReasonCode.DUPLICATE_BLOCK, replace("tail", long_line + "\ntail"))
    assert result.diagnostics[0]["counts"]["after"] == 2


def test_short_insert_of_repeated_lines_is_skipped():
    before = "a = 1\nb = 2\n"
    assert _accepted(
        before,
        replace("b = 2", "b = 2\na = 1\nb = 2"),
        settings=EditSettings(check_duplicate_paragraph=False),
    )


def _tokens_file(count: int) -> str:
    """`count` distinct words, 10 a line, 5 lines a paragraph."""
    words = [f"w{i:04d}" for i in range(count)]
    rows = [" ".join(words[i : i + 10]) for i in range(0, count, 10)]
    return "\n\n".join("\n".join(rows[i : i + 5]) for i in range(0, len(rows), 5)) + "\n"


def test_t15_token_drift_threshold_is_exact():
    before, keep_951, keep_950 = _tokens_file(1000), _tokens_file(951), _tokens_file(950)
    assert _accepted(before, write(keep_951))
    result = _refused(before, ReasonCode.TOKEN_DRIFT, write(keep_950))
    assert result.diagnostics[0]["drift"] == 0.05
    assert result.diagnostics[0]["counts"] == {"tokens_before": 1000, "tokens_after": 950}
    assert _accepted(before, write(keep_950, allow_large_change=True))


def test_t16_dropping_the_space_before_a_word_is_seam_join():
    result = _refused("alpha beta gamma", ReasonCode.SEAM_JOIN, replace("beta ", "BETA"))
    assert result.diagnostics[0]["seam"] == "right"


def test_dropping_the_space_after_a_word_is_a_left_seam_join():
    result = _refused("alpha beta gamma", ReasonCode.SEAM_JOIN, replace(" beta", "BETA"))
    assert result.diagnostics[0]["seam"] == "left"


def test_deleting_a_word_with_both_spaces_joins_its_neighbours():
    _refused("alpha beta gamma", ReasonCode.SEAM_JOIN, replace(" beta ", ""))


def test_inserting_a_line_between_lines_never_joins_words():
    assert _accepted("ab\ncd\n", lines(2, 1, "", "x")) == "ab\nx\ncd\n"
    assert _accepted("ab\ncd", lines(3, 2, "", "x")) == "ab\ncd\nx"


def test_whole_word_edits_never_trip_seam_join():
    assert _accepted("alpha beta gamma", replace("beta", "BETA")) == "alpha BETA gamma"
    assert _accepted("alpha beta gamma", replace("beta ", "")) == "alpha gamma"


def test_block_inserted_inside_a_word_is_mid_word_block():
    before = "the thing is here\n"
    result = _refused(before, ReasonCode.MID_WORD_BLOCK, replace("the th", "the th\n# Heading\n"))
    assert result.diagnostics[0]["counts"] == {"boundaries": 1}


def test_anchor_spanning_a_line_break_mid_word_trips_the_literal_rule_only():
    before = "one two three\nfour five six\n"
    op = replace("ee\nfour fi", "ee\nFOUR fi")  # a one-word edit, no block inserted
    literal = EditSettings(mid_word_added_breaks_only=False)  # the spec's rule as written
    _refused(before, ReasonCode.MID_WORD_BLOCK, op, settings=literal)
    intent = EditSettings()  # the default: only edits that add line breaks
    assert _accepted(before, op, settings=intent) == "one two three\nFOUR five six\n"
    _refused(
        "the thing\n",
        ReasonCode.MID_WORD_BLOCK,
        replace("the th", "the th\n# H\n"),
        settings=intent,
    )


def test_block_inserted_between_words_is_accepted():
    assert (
        _accepted("the thing\n", replace("the", "the\n# Heading\n")) == "the\n# Heading\n thing\n"
    )


def test_write_that_drops_every_paragraph_separator_is_boundary_dropped():
    before = "one a\n\ntwo b\n\nthree c\n"
    result = _refused(before, ReasonCode.BOUNDARY_DROPPED, write("one a\ntwo b\nthree c\n"))
    assert result.diagnostics[0]["counts"] == {"separators_before": 2, "separators_after": 0}
    assert _accepted(before, write("one a\ntwo b\nthree c\n", allow_large_change=True))


def test_write_keeping_one_separator_or_of_a_file_with_one_is_not_boundary_dropped():
    assert _accepted("one a\n\ntwo b\n\nthree c\n", write("one a\ntwo b\n\nthree c\n"))
    assert _accepted("one a\n\ntwo b\nthree c\n", write("one a\ntwo b\nthree c\n"))


def test_token_drift_of_a_write_counts_every_changed_span_of_a_long_file():
    before = _tokens_file(4000)
    # Scattered rows lose words: 200 tokens in all, exactly 5 %, across 20 spans.
    rows = before.split("\n")
    cut = [i for i, row in enumerate(rows) if row][::5][:20]
    after = "\n".join(
        " ".join(row.split()[:-10]) if i in cut else row for i, row in enumerate(rows)
    )
    result = _refused(before, ReasonCode.TOKEN_DRIFT, write(after))
    assert result.diagnostics[0]["counts"] == {"tokens_before": 4000, "tokens_after": 3800}
    # One lost word of 4000: the count stops early, and the write passes.
    assert _accepted(before, write(before.replace("w0001 ", "", 1)))
    assert _accepted(before, write(before.replace("w0001", "w0001 more", 1)))


def test_write_deleting_what_stood_between_two_equal_paragraphs_is_duplicate_paragraph():
    same = _paragraph(5, words=8)
    before = f"{P1}\n\n{same}\n\n{P2}\n\n{same}\n\n{P3}\n"
    _refused(before, ReasonCode.DUPLICATE_PARAGRAPH, write(before.replace(f"{P2}\n\n", "")))


def test_write_moving_an_old_elision_line_is_accepted_but_not_one_beside_a_new_one():
    before = "# ... rest of file unchanged\nx = 1\ny = 2\n"
    assert _accepted(before, write("x = 1\ny = 2\n# ... rest of file unchanged\n"))
    new = "x = 1\ny = 2\n# ... rest of file unchanged\n# ... rest omitted\n"
    _refused(before, ReasonCode.ELISION_MARKER, write(new))


def test_write_with_an_elision_comment_is_elision_marker():
    before = "import os\n\nprint(os.name)\n"
    result = _refused(
        before,
        ReasonCode.ELISION_MARKER,
        write("import os\n# ... rest of file unchanged\nprint(os.name)\n"),
    )
    assert result.diagnostics[0]["line"] == 2


def test_elision_line_that_was_already_there_is_accepted():
    before = "import os\n# ... rest of file unchanged\n\nx = 1\n"
    assert _accepted(before, write("import os\n# ... rest of file unchanged\n\nx = 2\n"))


def test_an_old_elision_line_does_not_hide_a_new_one():
    before = "# ... rest unchanged\nx = 1\n"
    result = _refused(
        before,
        ReasonCode.ELISION_MARKER,
        write("# ... rest unchanged\nx = 1\n// ... existing code\n"),
    )
    assert result.diagnostics[0]["line"] == 3


def test_large_replace_with_an_elision_marker_is_refused_and_a_small_one_is_not():
    big = "\n".join(f"line {i}" for i in range(20)) + "\n    // ... existing code ..."
    _refused("start\n", ReasonCode.ELISION_MARKER, replace("start", big))
    small = "line\n<!-- ... remaining items omitted -->"
    assert _accepted("start\n", replace("start", small))


def test_disabled_check_and_disabled_inspector_let_the_edit_through():
    op = replace("beta ", "BETA")
    assert _accepted("alpha beta gamma", op, settings=EditSettings(check_seam_join=False))
    assert _accepted("alpha beta gamma", op, settings=EditSettings(inspector=False))


def test_excerpts_appear_only_when_enabled_and_are_capped():
    settings = EditSettings(excerpts=True, excerpt_chars=5)
    result = _refused(
        "alpha beta gamma", ReasonCode.SEAM_JOIN, replace("beta ", "BETA"), settings=settings
    )
    assert result.diagnostics[0]["excerpt"] == "BETA"
    op = replace(LAST_LINE_OF_P2, LAST_LINE_OF_P2 + "\n\n" + _reworded(P2))
    result = _refused(STORY, ReasonCode.NEAR_DUPLICATE_BLOCK, op, settings=settings)
    assert len(result.diagnostics[0]["excerpt"]) == 5


def test_every_finding_is_listed_and_the_first_check_names_the_reason():
    ops = (replace("beta ", "BETA"), replace("ga", "ga\nx\n"))
    result = _refused("alpha beta gamma", ReasonCode.SEAM_JOIN, *ops)
    assert [d["check"] for d in result.diagnostics] == ["seam_join", "mid_word_block"]
    assert result.detail == "inspector refused the edit: mid_word_block, seam_join"
    assert set(result.diagnostics[0]) >= {"check", "path", "op_index", "line", "excerpt", "counts"}


def _crashing_check(change: Change, settings: EditSettings) -> list[dict[str, object]]:
    raise KeyError(change.after)  # the message quotes the file: it must not be reported


def test_a_crashing_check_rejects_the_edit_fail_closed():
    checks = ((ReasonCode.SEAM_JOIN, _crashing_check),)
    result = apply_file("a.md", b"secret text\n", [replace("secret", "public")], checks=checks)
    assert isinstance(result, Rejection)
    assert (result.reason, result.stage, result.retryable) == (
        ReasonCode.INSPECTOR_ERROR,
        Stage.INSPECT,
        False,
    )
    assert result.diagnostics == [{"check": "seam_join", "error": "KeyError"}]
    assert "text" not in result.model_dump_json()


def test_a_crashing_check_that_is_disabled_does_not_run():
    checks = ((ReasonCode.SEAM_JOIN, _crashing_check),)
    settings = EditSettings(check_seam_join=False)
    assert inspect(Change("a", "x", "y", []), settings, checks) is None


def test_checks_run_in_the_documented_order():
    assert [reason for reason, _ in CHECKS] == [
        ReasonCode.DUPLICATE_BLOCK,
        ReasonCode.DUPLICATE_PARAGRAPH,
        ReasonCode.NEAR_DUPLICATE_BLOCK,
        ReasonCode.SEAM_JOIN,
        ReasonCode.MID_WORD_BLOCK,
        ReasonCode.TOKEN_DRIFT,
        ReasonCode.BOUNDARY_DROPPED,
        ReasonCode.ELISION_MARKER,
    ]
