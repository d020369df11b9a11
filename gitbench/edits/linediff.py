"""The whole-line spans a `write` really changes, so its checks look at those and not at 10 MB.

A general diff is super-linear, and `SequenceMatcher` over the lines of a 10 MB file takes
seconds. A write from a model is mostly the old file, so this walks both texts in step: a run
of equal text is skipped by comparing slices (memcmp, no per-line Python), and where the texts
part, the next line that both go on with (two lines alike) is looked for a few lines ahead,
then further. The spans are always exact: everything outside them is compared equal, so the
splice they describe turns the old text into the new one. They are small when the change is
small, and one large span when the texts never meet again (then every check sees it all).
"""

from __future__ import annotations

from collections.abc import Callable

Span = tuple[int, int, int, int]  # before[b0:b1] became after[a0:a1], whole lines

_FIRST_STEP = 256
_MAX_STEP = 1 << 20
_LOOK_AHEAD = (4096, 65536, 1 << 20)  # chars of each text searched for the resync line


def changed_spans(before: str, after: str) -> list[Span]:
    """Whole-line spans whose replacement turns `before` into `after` (none if equal)."""
    head = _line_start(before, common_head(before, 0, after, 0, min(len(before), len(after))))
    tail = common_tail(before, len(before), after, len(after), min(len(before), len(after)) - head)
    # The common tail starts at the same line break in both (it is common text).
    b_end, a_end = _tail_start(before, len(before) - tail), _tail_start(after, len(after) - tail)
    spans: list[Span] = []
    i = j = head
    while i < b_end or j < a_end:
        run = common_head(before, i, after, j, min(b_end - i, a_end - j))
        if i + run == b_end and j + run == a_end:
            break
        # Both walks started at a line start and went through the same text: back to the
        # start of the line where they part, which is the same line in both.
        start = max(_line_start(before, i + run), i)
        i, j = start, j + (start - i)
        # The resync line is equal in both, so the next span starts after it: spans never touch.
        i2, j2 = _resync(before, after, (i, j), (b_end, a_end))
        spans.append((i, i2, j, j2))
        i, j = i2, j2
    return spans


def _line_start(text: str, pos: int) -> int:
    return text.rfind("\n", 0, pos) + 1


def _tail_start(text: str, pos: int) -> int:
    """The first line start at or after `pos` reached through a line break at or after it."""
    newline = text.find("\n", pos)
    return len(text) if newline < 0 else newline + 1


def common_head(x: str, xi: int, y: str, yi: int, limit: int) -> int:
    """Length of the common prefix of x[xi:] and y[yi:], at most `limit`."""
    return _common_run(limit, lambda a, b: x[xi + a : xi + b] != y[yi + a : yi + b])


def common_tail(x: str, xe: int, y: str, ye: int, limit: int) -> int:
    """Length of the common suffix of x[:xe] and y[:ye], at most `limit`."""
    return _common_run(limit, lambda a, b: x[xe - b : xe - a] != y[ye - b : ye - a])


def _common_run(limit: int, differs: Callable[[int, int], bool]) -> int:
    """The length of the common run, at most `limit`, where `differs(a, b)` says whether the
    two texts differ somewhere between `a` and `b` characters along it: steps that grow
    fourfold compare slices (memcmp, no per-character Python), then a bisection of the step
    that differs finds the first difference."""
    done, step = 0, _FIRST_STEP
    while done < limit:
        size = min(step, limit - done)
        if differs(done, done + size):
            lo, hi = done, done + size  # the first difference is in [lo, hi)
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if differs(lo, mid):
                    hi = mid
                else:
                    lo = mid
            return lo
        done += size
        step = min(step * 4, _MAX_STEP)
    return limit


def _lines(text: str, start: int, stop: int, chars: int) -> tuple[list[str], list[int]]:
    """Whole lines of text[start:stop] within `chars`, with their line breaks, and their ends."""
    end = min(stop, start + chars)
    pieces = text[start:end].split("\n")
    lines = [piece + "\n" for piece in pieces[:-1]]
    if end == stop and pieces[-1]:  # the last line of the text, without a line break
        lines.append(pieces[-1])
    ends, pos = [], start
    for line in lines:
        pos += len(line)
        ends.append(pos)
    return lines, ends


def _resync(before: str, after: str, at: tuple[int, int], ends: tuple[int, int]) -> tuple[int, int]:
    """Where the texts go on alike after parting at line starts `at`: the pair of line starts
    nearest (fewest lines skipped on both sides together) whose next two lines match."""
    (i, j), (b_end, a_end) = at, ends
    for chars in _LOOK_AHEAD:
        old, old_ends = _lines(before, i, b_end, chars)
        new, new_ends = _lines(after, j, a_end, chars)
        found = _nearest_pair(old, new)
        if found is not None:
            k, m = found
            return (old_ends[k - 1] if k else i), (new_ends[m - 1] if m else j)
    return b_end, a_end


def _nearest_pair(old: list[str], new: list[str]) -> tuple[int, int] | None:
    where: dict[str, list[int]] = {}
    for m, line in enumerate(new):
        where.setdefault(line, []).append(m)
    best: tuple[int, int] | None = None
    for k, line in enumerate(old):
        if best is not None and k >= sum(best):
            break
        for m in where.get(line, ()):
            if best is not None and k + m >= sum(best):
                break
            if (k, m) != (0, 0) and _goes_on(old, k, new, m):
                best = (k, m)
                break
    return best


def _goes_on(old: list[str], k: int, new: list[str], m: int) -> bool:
    # One equal line is often a blank line or a brace; two in a row rarely resync wrongly, and
    # a wrong resync only makes a larger span (the walk compares everything after it).
    return k + 1 >= len(old) or m + 1 >= len(new) or old[k + 1] == new[m + 1]
