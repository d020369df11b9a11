"""duplicate_block's local counts decide exactly as whole-file counts would (#6).

The reference below is the rule with nothing left out: every shingle of both whole views is
counted, and every copy is looked for in the whole after view. Small windows
(`duplicate_window` of a few lines) make random files long enough to cross them.
"""

from __future__ import annotations

from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gitbench.edits.change import Change, Edit
from gitbench.edits.codec import View, splice_text
from gitbench.edits.duplicates import _inserting, _is_block, duplicate_block
from gitbench.edits.resolve import Resolved, resolve
from gitbench.edits.settings import EditSettings
from gitbench.edits.shingles import NonBlank, Shingle
from tests.edits.builders import lines

SETTINGS = EditSettings(
    duplicate_window=2, duplicate_shingle_lines=2, duplicate_long_line=9, duplicate_threshold=2
)
LINE = st.sampled_from(["a", "b", "c", "", " ", "a  b", "long line 1", "long  line 1", "d"])
FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _counts(view: NonBlank) -> Counter[Shingle]:
    size = SETTINGS.duplicate_shingle_lines
    found = Counter(zip(*(view.norms[i:] for i in range(size)), strict=False))
    found.update((n,) for n in view.norms if len(n) >= SETTINGS.duplicate_long_line)
    return found


def _occurrences(view: NonBlank, key: Shingle) -> list[int]:
    return [k for k in range(len(view.norms)) if tuple(view.norms[k : k + len(key)]) == key]


def _reference(change: Change) -> list[tuple[int, dict[str, int]]]:
    before, after = NonBlank(change.before), NonBlank(change.after)
    then, now = _counts(before), _counts(after)
    found = []
    for edit in _inserting(change):
        if not _is_block(edit.text, SETTINGS):
            continue
        for key, k in after.shingles_touching((edit.after_start, edit.after_end), SETTINGS):
            grown = now[key] > then[key] and then[key] < SETTINGS.duplicate_threshold
            if not grown or now[key] < SETTINGS.duplicate_threshold:
                continue
            others = [abs(k - o) for o in _occurrences(after, key) if o != k]
            if others and min(others) <= SETTINGS.duplicate_window:
                facts = {"before": then[key], "after": now[key], "distance": min(others)}
                found.append((edit.op_index, facts))
                break
    return found


@st.composite
def changes(draw: st.DrawFn) -> Change:
    old = draw(st.lists(LINE, min_size=20, max_size=60))
    text = "\n".join(old) + "\n"
    points = sorted(draw(st.sets(st.integers(1, len(old) + 1), min_size=1, max_size=4)))
    ops = []
    for point in points:  # insert (or replace one line with) a few random lines
        new = "\n".join(draw(st.lists(LINE, min_size=1, max_size=5)))
        replaces = point <= len(old) and draw(st.booleans()) and (point + 1 not in points)
        end = point if replaces else point - 1
        ops.append(lines(point, end, old[point - 1] if replaces else "", new))
    view = View(text, "lf", bom=False)
    resolved = resolve(view, ops, path="f", settings=SETTINGS)
    assert isinstance(resolved, Resolved), resolved
    after, starts = splice_text(text, resolved.regions)
    edits = [
        Edit(r.start, r.end, r.text, s, r.op_index, ops[r.op_index])
        for r, s in zip(resolved.regions, starts, strict=True)
    ]
    return Change("f", text, after, edits)


@FAST
@given(changes())
def test_local_counts_refuse_exactly_what_whole_file_counts_refuse(change):
    found = duplicate_block(change, SETTINGS)
    assert [(d["op_index"], d["counts"]) for d in found] == _reference(change)
