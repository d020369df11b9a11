"""Shingle counts around the edits equal whole-file counts (the duplicate_block speed-up, #6)."""

from __future__ import annotations

from collections import Counter

from gitbench.edits.apply import apply_file
from gitbench.edits.change import Edit
from gitbench.edits.schema import ReplaceOp
from gitbench.edits.settings import EditSettings
from gitbench.edits.shingles import NonBlank, count_up_to, windows

TEXT = "a  b\n\nc\nd\n  \ne\na b\nc\n\nd\ne\nx\n"


def test_count_up_to_counts_normalized_shingles_across_blank_lines():
    assert count_up_to(TEXT, ("a b", "c", "d"), 5) == 2
    assert count_up_to(TEXT, ("c", "d", "e"), 5) == 2
    assert count_up_to(TEXT, ("d", "e", "x"), 5) == 1
    assert count_up_to(TEXT, ("a b", "c", "d"), 1) == 1  # stops at the limit
    assert count_up_to(TEXT, ("b", "c", "d"), 5) == 0  # "b" only inside a longer line
    assert count_up_to(TEXT, ("x", "y", "z"), 5) == 0
    assert count_up_to("r\nlonger\n", ("q", "r", "longer"), 5) == 0  # runs out of lines above
    # The word searched for is the longest one, here on the last line of the shingle.
    assert count_up_to("q\nr\nlonger\n\nq\n\nr\nlonger\nr\nlonger\n", ("q", "r", "longer"), 5) == 2


def test_count_up_to_agrees_with_a_whole_file_count():
    text = "".join(f"{'  ' * (i % 3)}line {i % 4}\n{'' if i % 5 else chr(10)}" for i in range(60))
    lines = NonBlank(text)
    keys = {
        key
        for k in range(len(lines.norms))
        for key, _ in lines.shingles_touching((lines.starts[k], lines.stops[k]), EditSettings())
    }
    whole = lines.count_of(keys, EditSettings())
    assert whole and sum(whole.values()) >= len(keys)
    for key, count in whole.items():
        assert count_up_to(text, key, 100) == count


def _edit(before: str, search: str, new: str, index: int) -> Edit:
    start = before.index(search)
    op = ReplaceOp(op="replace", search=search, replace=new)
    return Edit(start, start + len(search), new, start, index, op)


def test_windows_merge_when_their_context_overlaps_and_map_onto_the_after_view():
    before = "".join(f"l{i}\n" for i in range(40))
    edits = [_edit(before, "l10\n", "X\nY\n", 0), _edit(before, "l12\n", "", 1)]
    after_shift = [0, len("X\nY\n") - len("l10\n")]
    edits[1] = Edit(
        edits[1].start, edits[1].end, "", edits[1].start + after_shift[1], 1, edits[1].op
    )
    ((b0, b1, a0, a1),) = windows(before, edits, reach=3)
    after = before.replace("l10\n", "X\nY\n").replace("l12\n", "")
    assert before[b0:b1] == "".join(f"l{i}\n" for i in range(7, 17))
    assert after[a0:a1] == "l7\nl8\nl9\nX\nY\nl11\nl13\nl14\nl15\nl16\n"


def test_local_counts_decide_like_whole_file_counts():
    # Property-style check on one file: the refusals do not depend on how far the file goes on.
    block = "p = 1\nq = 2\nr = 3\n"
    near = "head\n" + block + "mid\n"
    far = near + "".join(f"z{i} = {i}\n" for i in range(300))
    for before in (near, far):
        result = apply_file(
            "f.py", before.encode(), [ReplaceOp(op="replace", search="mid", replace=block + "mid")]
        )
        assert getattr(result, "reason", None) is not None
    key = ("p = 1", "q = 2", "r = 3")
    assert NonBlank(far).count_of({key}, EditSettings()) == Counter({key: 1})


def test_single_line_shingles_are_counted_once():
    settings = EditSettings(duplicate_shingle_lines=1, duplicate_long_line=3)
    assert NonBlank("abcd\nabcd\nx\n").count_of({("abcd",)}, settings) == Counter({("abcd",): 2})


def test_long_lines_are_normalized_once_for_both_views():
    long_line = "  ".join(f"field{i}" for i in range(60))  # over 256 characters
    memo: dict[str, str] = {}
    before = NonBlank(f"{long_line}\nshort  line\n", memo=memo)
    after = NonBlank(f"x\n{long_line}\n", memo=memo)
    assert before.norms == [" ".join(long_line.split()), "short line"]
    assert after.norms[1] is before.norms[0]  # the same string: normalized once
    assert list(memo) == [long_line]
