"""Deterministic fixtures, anchors and edits for the edit-pipeline benchmark (bench/bench_apply.py).

Everything is generated from a seed at run time; nothing here is checked in. A fixture is the
bytes of one file (`prose`, `code`, `crlf`, `longline`); edits address its *view* (the decoded
text, CRLF shown as LF), exactly as a model is shown it. Cases are the JSON documents a model
would send (`ModelEditResponse`), built with `json.dumps` and parsed by the real pipeline.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

KINDS = ("prose", "code", "crlf", "longline")
PATHS = {"prose": "prose.md", "code": "code.py", "crlf": "crlf.txt", "longline": "data.json"}
STYLES = ("line", "word", "any")  # how a benign replace anchors its search text
MIN_ANCHOR, MAX_ANCHOR = 40, 120
SEARCH_LIMIT = 64_000  # ReplaceOp.search max_length

_VOCABULARY = (
    "the of and to in is was for on that with as by at from his her they this which be "
    "river stone garden window letter morning evening winter summer harbour village market "
    "lantern quiet ancient silver golden narrow distant gentle bitter hollow steady patient "
    "walked carried watched gathered answered remembered followed whispered opened noticed "
    "table mirror kitchen ladder orchard meadow bridge tower candle basket blanket engine "
    "signal record measure balance pattern surface shadow current moment season reason "
    "people traveller keeper doctor sailor teacher builder merchant neighbour stranger "
    "slowly almost never always perhaps together beyond between across beneath without "
    "yellow crimson pale dark bright cold warm heavy light sudden careful simple strange "
    "café naïve façade déjà über smörgåsbord coöperate résumé"
)
_WORDS = tuple(_VOCABULARY.split())
ASCII_WORDS = tuple(w for w in _WORDS if w.isascii() and len(w) >= 3)
WORD = re.compile(r"\w+")
SEPARATOR = re.compile(r"\n[ \t]*\n")
BLANK_RUN = re.compile(r"\n(?:[ \t]*\n)+")  # a separator with every blank line after it
MARKERS = {  # each matches the spec's elision pattern
    "prose": ("... (remaining paragraphs unchanged)", "<!-- ... rest of the section omitted -->"),
    "crlf": ("... rest of the chapter unchanged ...", "* ... remaining text omitted"),
    "code": ("    # ... rest of function unchanged", "# ... existing code ..."),
    "longline": ("... remaining records omitted", "// ... existing entries unchanged"),
}
LOOSE_MARKERS = (
    "# … rest of file unchanged",
    "[...] remaining text omitted",
    "(...) rest unchanged",
)
BLOCKS = {
    "prose": "\n\n## Notes\n\nA short paragraph that was meant to go elsewhere.\n\n",
    "crlf": "\n\n## Notes\n\nA short paragraph that was meant to go elsewhere.\n\n",
    "code": "\n    # review this\n    check_state(context)\n",
    "longline": '\n{"id": 0, "name": "inserted"},\n',
}


def view_of(kind: str, data: bytes) -> str:
    """The text the model is shown (the pipeline's view: CRLF as LF)."""
    text = data.decode("utf-8")
    return text.replace("\r\n", "\n") if kind == "crlf" else text


def bytes_of(kind: str, view: str) -> bytes:
    return (view.replace("\n", "\r\n") if kind == "crlf" else view).encode("utf-8")


# --- fixtures ------------------------------------------------------------------------------


def _wrap(words: list[str], width: int = 72) -> str:
    lines: list[str] = []
    line = ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    return "\n".join(lines)


def _sentence_words(rng: random.Random) -> list[str]:
    words = [rng.choice(_WORDS) for _ in range(rng.randint(6, 18))]
    words[0] = words[0].capitalize()
    if len(words) > 8 and rng.random() < 0.3:
        words[4] += ","
    words[-1] += rng.choice("...?!")
    return words


def sentence(rng: random.Random) -> str:
    return " ".join(_sentence_words(rng))


def _paragraph(rng: random.Random) -> str:
    words = [w for _ in range(rng.randint(3, 7)) for w in _sentence_words(rng)]
    return _wrap(words)


def _prose(size: int, rng: random.Random) -> str:
    refrains = [_paragraph(rng) for _ in range(4)]
    parts: list[str] = []
    total = 0
    while total < size:
        if len(parts) % 25 == 0:
            block = f"## Section {len(parts) // 25 + 1}: {rng.choice(ASCII_WORDS)}"
        elif rng.random() < 0.01:  # a repeated refrain (spec: ~1 %)
            block = rng.choice(refrains)
        else:
            block = _paragraph(rng)
        parts.append(block)
        total += len(block) + 2
    return "\n\n".join(parts) + "\n"


def _identifier(rng: random.Random) -> str:
    return f"{rng.choice(ASCII_WORDS)}_{rng.choice(ASCII_WORDS)}"


def _function(rng: random.Random, index: int) -> str:
    name = f"{_identifier(rng)}_{index}"
    body = [
        f"    {_identifier(rng)} = compute_{rng.choice(ASCII_WORDS)}(request.{rng.choice(ASCII_WORDS)}, {rng.randint(1, 999)})"
        for _ in range(rng.randint(2, 8))
    ]
    return "\n".join(
        [
            f"def handle_{name}(request, context):",
            f'    """Handle the {rng.choice(ASCII_WORDS)} {rng.choice(ASCII_WORDS)} request."""',
            "    if request is None:",
            '        raise ValueError("request is required")',
            '    log.debug("enter %s", request.id)',
            *body,
            "    result = finish(request, context)",
            '    log.debug("leave %s", request.id)',
            "    return result",
        ]
    )


def _code(size: int, rng: random.Random) -> str:
    parts = ['"""Generated handlers."""\n\nimport logging\n\nlog = logging.getLogger(__name__)']
    total = len(parts[0])
    while total < size:
        block = _function(rng, len(parts))
        parts.append(block)
        total += len(block) + 3
    return "\n\n\n".join(parts) + "\n"


def _record(rng: random.Random, index: int) -> str:
    tags = ", ".join(f'"{rng.choice(ASCII_WORDS)}"' for _ in range(rng.randint(1, 3)))
    return (
        f'{{"id": {index}, "name": "{rng.choice(_WORDS)} {rng.choice(_WORDS)}", '
        f'"tags": [{tags}], "score": {rng.random():.4f}, "active": {str(rng.random() < 0.5).lower()}, '
        f'"note": "{sentence(rng)}"}}'
    )


def _longline(size: int, rng: random.Random) -> str:
    lines: list[str] = []
    total, index = 0, 0
    while total < size:
        records = []
        for _ in range(rng.randint(30, 60)):
            records.append(_record(rng, index))
            index += 1
        line = ", ".join(records)
        lines.append(line)
        total += len(line) + 2
    return "[\n" + ",\n".join(lines) + "\n]\n"


_MAKERS: dict[str, Callable[[int, random.Random], str]] = {
    "prose": _prose,
    "crlf": _prose,
    "code": _code,
    "longline": _longline,
}


def make_fixture(kind: str, size: int, seed: int) -> bytes:
    """The bytes of fixture `kind` of about `size` bytes (crlf: the prose text with CRLF)."""
    rng = random.Random(f"{seed}:{'prose' if kind == 'crlf' else kind}:{size}")
    return bytes_of(kind, _MAKERS[kind](size, rng))


# --- anchors -------------------------------------------------------------------------------


def unique(text: str, start: int, end: int) -> bool:
    """text[start:end] occurs exactly once (overlapping occurrences count too)."""
    needle = text[start:end]
    return text.find(needle) == start and text.find(needle, start + 1) < 0


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


def _word_start(text: str, pos: int) -> int:
    match = WORD.search(text, pos)
    return -1 if match is None else match.start()


def _span(text: str, pos: int, length: int, style: str) -> tuple[int, int] | None:
    if style == "any":
        return pos, pos + length
    if style == "word":
        start = _word_start(text, pos)
        if start < 0 or (start > 0 and _is_word(text[start - 1])):
            return None
        ends = [m.end() for m in WORD.finditer(text, start, start + length + 1)]
        ends = [end for end in ends if not _is_word(text[end : end + 1] or ".")]
        return (start, ends[-1]) if ends else None
    start = text.rfind("\n", 0, pos) + 1
    end = start
    while end - start < MIN_ANCHOR:
        nxt = text.find("\n", end + 1)
        if nxt < 0:
            return None
        end = nxt
    return start, end


def pick_anchor(
    text: str, rng: random.Random, style: str, lo: int = 0, hi: int | None = None
) -> tuple[int, int]:
    """A unique search span of 40-120 chars (line style: whole lines, up to 4,000) in [lo, hi)."""
    hi = len(text) if hi is None else hi
    for _ in range(200):
        pos = rng.randrange(lo, max(lo + 1, hi - MAX_ANCHOR))
        span = _span(text, pos, rng.randint(MIN_ANCHOR, MAX_ANCHOR), style)
        if span is None or span[1] > hi or span[0] < lo:
            continue
        limit = 4000 if style == "line" else MAX_ANCHOR
        if (
            MIN_ANCHOR <= span[1] - span[0] <= limit
            and _editable(text, span)
            and unique(text, *span)
        ):
            return span
    raise RuntimeError(f"no unique {style} anchor found")


def _inner_words(text: str, start: int, end: int) -> list[re.Match[str]]:
    """Words wholly inside the span, not touching its ends (so an edit never moves a seam)."""
    return [m for m in WORD.finditer(text, start, end) if m.start() > start and m.end() < end]


def _editable(text: str, span: tuple[int, int]) -> bool:
    return bool(_inner_words(text, *span))


def other_word(rng: random.Random, old: str, ascii_only: bool = False) -> str:
    choices = ASCII_WORDS if ascii_only else _WORDS
    while True:
        new = rng.choice(choices)
        if new.lower() != old.lower():
            return new.capitalize() if old[:1].isupper() else new


def word_edit(text: str, span: tuple[int, int], rng: random.Random, ascii_only: bool) -> str:
    """text[span] with one inner word replaced by another."""
    start, end = span
    match = rng.choice(_inner_words(text, start, end))
    new = other_word(rng, match.group(), ascii_only)
    return text[start : match.start()] + new + text[match.end() : end]


def spread_anchors(text: str, count: int, rng: random.Random) -> list[tuple[int, int]]:
    """`count` non-overlapping word-aligned anchors, one per equal slice of the text."""
    step = len(text) // count
    return [pick_anchor(text, rng, "word", k * step, (k + 1) * step) for k in range(count)]


# --- documents -----------------------------------------------------------------------------


def document(files: list[dict[str, Any]], summary: str = "Edit") -> dict[str, Any]:
    """A `ModelEditResponse` as a model sends it (no hashes)."""
    return {"schema_version": 1, "summary": summary, "files": files}


def replace_op(search: str, replace: str) -> dict[str, Any]:
    return {"op": "replace", "search": search, "replace": replace}


def write_op(content: str) -> dict[str, Any]:
    return {"op": "write", "content": content}


def lines_op(start: int, end: int, old: str, new: str) -> dict[str, Any]:
    return {
        "op": "replace_lines",
        "start_line": start,
        "end_line": end,
        "old_text": old,
        "new_text": new,
    }


@dataclass(frozen=True)
class Case:
    """One proposal of the efficacy set: `ops` on fixture `fixture`, and what must happen.

    `current` is the file at the draft head when it differs from what the model was shown
    (the stale-blob fault); `expect` is the reason a fault should be refused with (None: benign).
    """

    group: str
    fixture: str
    variant: str
    ops: list[dict[str, Any]]
    expect: str | None
    current: str | None = None
    shown: str | None = None  # the file shown, when not the standard efficacy fixture


# --- benign edits --------------------------------------------------------------------------


def _sentence_span(text: str, rng: random.Random) -> tuple[int, int]:
    for _ in range(200):
        pos = rng.randrange(len(text))
        ends = [m.end() for m in re.finditer(r"[.?!](?=\s)", text[max(0, pos - 400) : pos])]
        start = max(0, pos - 400) + ends[-1] + 1 if ends else -1
        stop = re.search(r"[.?!](?=\s)", text[pos : pos + 400])
        if start < 0 or stop is None or "\n\n" in text[start : pos + stop.end()]:
            continue
        while text[start] in " \n":
            start += 1
        end = pos + stop.end()
        if MIN_ANCHOR // 2 <= end - start <= 400 and unique(text, start, end):
            return start, end
    raise RuntimeError("no unique sentence found")


def _benign_sentence(kind: str, text: str, rng: random.Random) -> tuple[str, list[dict[str, Any]]]:
    if kind == "code":
        start, end = pick_anchor(text, rng, "line")
        old = text[start:end]
        lines = old.split("\n")
        at = rng.randrange(len(lines))
        indent = lines[at][: len(lines[at]) - len(lines[at].lstrip())] or "    "
        statement = f"{indent}{_identifier(rng)} = refine({_identifier(rng)}, {rng.randint(1, 99)})"
        variant = rng.choice(["rewrite", "insert", "delete"])
        if variant == "rewrite":
            lines[at] = statement
        elif variant == "insert":
            lines.insert(at + 1, statement)
        else:
            del lines[at]
        return f"statement-{variant}", [replace_op(old, "\n".join(lines))]
    if kind == "longline":
        start, end = pick_anchor(text, rng, "word")
        note = text.find('"note": "', start)
        close = text.find('"}', note + 9)
        old = text[note : close + 2]
        if not unique(text, note, close + 2):
            return _benign_sentence(kind, text, rng)
        return "note-rewrite", [replace_op(old, f'"note": "{sentence(rng)}"}}')]
    start, end = _sentence_span(text, rng)
    old = text[start:end]
    variant = rng.choice(["rewrite", "insert", "delete"])
    if variant == "rewrite":
        return "sentence-rewrite", [replace_op(old, sentence(rng))]
    if variant == "insert":
        return "sentence-insert", [replace_op(old, f"{old} {sentence(rng)}")]
    after = text[end : end + 1]
    followed = after in (" ", "\n") and _is_word(text[end + 1 : end + 2] or ".")
    if followed and unique(text, start, end + 1):
        return "sentence-delete", [replace_op(text[start : end + 1], "")]
    return "sentence-rewrite", [replace_op(old, sentence(rng))]


def _benign_line(kind: str, text: str, rng: random.Random) -> tuple[str, list[dict[str, Any]]]:
    lines = text.split("\n")
    while True:
        at = rng.randrange(1, len(lines) - 1)
        if lines[at].strip() and _editable(lines[at], (0, len(lines[at]))):
            break
    line = lines[at]
    variant = rng.choice(["modify", "insert", "delete"])
    if variant == "modify":
        return "line-modify", [
            lines_op(at + 1, at + 1, line, word_edit(line, (0, len(line)), rng, kind != "prose"))
        ]
    if variant == "delete":
        return "line-delete", [lines_op(at + 1, at + 1, line, "")]
    if kind == "code":
        indent = line[: len(line) - len(line.lstrip())] or "    "
        new = f'{indent}log.info("checkpoint {rng.randint(1, 9999)}")'
    elif kind == "longline":
        new = ", ".join(_record(rng, 10_000_000 + k) for k in range(rng.randint(2, 5))) + ","
    else:
        new = _wrap(_sentence_words(rng))
    return "line-insert", [lines_op(at + 1, at, "", new)]


def benign_case(kind: str, text: str, rng: random.Random) -> Case:
    """One harmless edit: a word, a sentence (statement, record) or a line, or a write."""
    ascii_only = kind != "prose"
    roll = rng.random()
    if roll < 0.4:
        style = rng.choice(STYLES if kind != "longline" else ("word", "any"))
        span = pick_anchor(text, rng, style)
        ops = [replace_op(text[span[0] : span[1]], word_edit(text, span, rng, ascii_only))]
        return Case("benign", kind, f"word/{style}", ops, None)
    if roll < 0.65:
        variant, ops = _benign_sentence(kind, text, rng)
        return Case("benign", kind, variant, ops, None)
    if roll < 0.9:
        variant, ops = _benign_line(kind, text, rng)
        return Case("benign", kind, variant, ops, None)
    span = pick_anchor(text, rng, "word")
    new = text[: span[0]] + word_edit(text, span, rng, ascii_only) + text[span[1] :]
    return Case("benign", kind, "write-word", [write_op(new)], None)


# --- injected faults -------------------------------------------------------------------------


def _paragraph_spans(kind: str, text: str) -> list[tuple[int, int]]:
    if kind == "longline":  # a record line plays the paragraph
        spans, start = [], 0
        for line in text.split("\n"):
            spans.append((start, start + len(line)))
            start += len(line) + 1
        return [s for s in spans if s[1] - s[0] >= 200]
    spans, start = [], 0
    for match in SEPARATOR.finditer(text):
        spans.append((start, match.start()))
        start = match.end()
    return [
        s for s in spans if s[1] - s[0] >= 200 and unique(text, *s) and s[1] - s[0] < SEARCH_LIMIT
    ]


def _tail(text: str, start: int, end: int) -> int:
    """The start of the shortest unique run of whole lines ending at `end` (at least 40 chars)."""
    pos = end
    while True:
        newline = text.rfind("\n", start, pos - 1)
        pos = start if newline < 0 else newline + 1
        if pos == start or (end - pos >= MIN_ANCHOR and unique(text, pos, end)):
            return pos


def _reword(paragraph: str, rng: random.Random, share: float = 0.1) -> str:
    """The paragraph with `share` of its words replaced (the ~90 % similar rewrite)."""
    matches = [m for m in WORD.finditer(paragraph) if not m.group().isdigit()]
    chosen = set(rng.sample(range(len(matches)), max(1, round(share * len(matches)))))
    out, pos = [], 0
    for index in sorted(chosen):
        match = matches[index]
        out.append(paragraph[pos : match.start()] + other_word(rng, match.group(), True))
        pos = match.end()
    return "".join(out) + paragraph[pos:]


def _copy_fault(
    kind: str, text: str, rng: random.Random, exact: bool
) -> tuple[str, list[dict[str, Any]]]:
    start, end = rng.choice(_paragraph_spans(kind, text))
    paragraph = text[start:end]
    copy = paragraph if exact else _reword(paragraph, rng)
    sep = "\n" if kind == "longline" else "\n\n"
    if kind != "longline" and rng.random() < 0.5:
        return "whole-paragraph", [replace_op(paragraph, paragraph + sep + copy)]
    # On a record line, the anchor is the line's last record (unique by its id).
    tail = text.rfind('{"id": ', start, end) if kind == "longline" else _tail(text, start, end)
    anchor = text[tail:end]
    return "tail-anchor", [replace_op(anchor, anchor + sep + copy)]


def _mid_word_fault(kind: str, text: str, rng: random.Random) -> tuple[str, list[dict[str, Any]]]:
    block = BLOCKS[kind]
    while True:
        match = WORD.search(text, rng.randrange(len(text) - 200))
        if match is None or len(match.group()) < 5 or match.group().isdigit():
            continue
        cut = match.start() + rng.randint(2, len(match.group()) - 2)
        length = rng.randint(MIN_ANCHOR, MAX_ANCHOR)
        if rng.random() < 0.5 and unique(text, cut, cut + length):
            search = text[cut : cut + length]
            return "block-before-anchor", [replace_op(search, block + search)]
        if cut - length > 0 and unique(text, cut - length, cut):
            search = text[cut - length : cut]
            return "block-after-anchor", [replace_op(search, search + block)]


def _seam_fault(kind: str, text: str, rng: random.Random) -> tuple[str, list[dict[str, Any]]]:
    while True:
        start, end = pick_anchor(text, rng, "word")
        edited = word_edit(text, (start, end), rng, kind != "prose")
        if rng.random() < 0.5:
            if (
                text[end : end + 1] == " "
                and _is_word(text[end + 1 : end + 2] or ".")
                and unique(text, start, end + 1)
            ):
                return "trailing-space-dropped", [replace_op(text[start : end + 1], edited)]
        elif (
            start > 0
            and text[start - 1] == " "
            and _is_word(text[start - 2])
            and unique(text, start - 1, end)
        ):
            return "leading-space-dropped", [replace_op(text[start - 1 : end], edited)]


def _elision_fault(kind: str, text: str, rng: random.Random) -> tuple[str, list[dict[str, Any]]]:
    marker = rng.choice(MARKERS[kind])
    lines = text.split("\n")
    if kind != "longline" and rng.random() < 0.5:
        for _ in range(200):
            at = rng.randrange(1, len(lines) - 30)
            old = "\n".join(lines[at : at + 25])
            if old.count("\n") == 24 and len(old) < SEARCH_LIMIT and text.count(old) == 1:
                new = "\n".join([*lines[at : at + 10], marker, *lines[at + 12 : at + 25]])
                return "replace-25-lines", [replace_op(old, new)]
    start, end = rng.choice(_paragraph_spans(kind, text))
    return "write", [write_op(text[:start] + marker + text[end:])]


def _truncated_fault(text: str, rng: random.Random) -> tuple[str, list[dict[str, Any]]]:
    tokens = list(WORD.finditer(text))
    cut = tokens[math.ceil(0.9 * len(tokens))].start()
    if rng.random() < 0.5:
        return "cut-mid-line", [write_op(text[:cut])]
    return "cut-at-line", [write_op(text[: text.rfind("\n", 0, cut) + 1])]


def _separators_fault(text: str, rng: random.Random) -> tuple[str, list[dict[str, Any]]]:
    joiner = rng.choice(["\n", " "])
    return f"joined-with-{'newline' if joiner == chr(10) else 'space'}", [
        write_op(BLANK_RUN.sub(joiner, text))
    ]


FAULTS = (
    "stale_blob",
    "rewrite_appended",
    "adjacent_duplicate",
    "mid_word_block",
    "seam_join",
    "elision_marker",
    "truncated_write",
    "dropped_separators",
)
EXPECTED = {
    "stale_blob": ("blob_mismatch",),
    "rewrite_appended": ("near_duplicate_block", "duplicate_block", "duplicate_paragraph"),
    "adjacent_duplicate": ("duplicate_block", "duplicate_paragraph"),
    "mid_word_block": ("mid_word_block",),
    "seam_join": ("seam_join",),
    "elision_marker": ("elision_marker",),
    "truncated_write": ("token_drift",),
    "dropped_separators": ("boundary_dropped",),
}


def applicable(fault: str, kind: str) -> bool:
    """Paragraph faults need paragraphs: a file of long record lines has no blank lines (the
    rewritten-record case is a probe; an exact copied line stays a fault, the spec's long-line
    shingles cover it)."""
    return kind != "longline" or fault not in ("dropped_separators", "rewrite_appended")


def fault_case(fault: str, kind: str, text: str, rng: random.Random) -> Case:
    """One injected fault of type `fault` on the view `text` of fixture `kind`."""
    expect = EXPECTED[fault][0]
    current = None
    if fault == "stale_blob":
        human = pick_anchor(text, rng, "word", 0, len(text) // 2)
        current = text[: human[0]] + word_edit(text, human, rng, True) + text[human[1] :]
        span = pick_anchor(text, rng, "word", len(text) // 2)
        variant, ops = (
            "word-edit",
            [replace_op(text[span[0] : span[1]], word_edit(text, span, rng, True))],
        )
    elif fault in ("rewrite_appended", "adjacent_duplicate"):
        variant, ops = _copy_fault(kind, text, rng, exact=fault == "adjacent_duplicate")
    elif fault == "mid_word_block":
        variant, ops = _mid_word_fault(kind, text, rng)
    elif fault == "seam_join":
        variant, ops = _seam_fault(kind, text, rng)
    elif fault == "elision_marker":
        variant, ops = _elision_fault(kind, text, rng)
    elif fault == "truncated_write":
        variant, ops = _truncated_fault(text, rng)
    else:
        variant, ops = _separators_fault(text, rng)
    return Case(fault, kind, variant, ops, expect, current=current)


# --- probes: faults just outside the spec's rules (reported apart from the recall figures) ---

PROBES = {
    "rewritten_record_line": ("longline",),
    "mid_word_inside_anchor": KINDS,
    "loose_elision_marker": KINDS,
    "most_separators_dropped": ("prose", "code", "crlf"),
    "mid_word_block_rewrapped": ("prose", "crlf"),
}


def _inside_anchor(kind: str, text: str, rng: random.Random) -> list[dict[str, Any]]:
    while True:
        start, end = pick_anchor(text, rng, "word")
        words = [m for m in _inner_words(text, start, end) if len(m.group()) >= 5]
        if words:
            word = rng.choice(words)
            cut = word.start() + rng.randint(2, len(word.group()) - 2)
            return [replace_op(text[start:end], text[start:cut] + BLOCKS[kind] + text[cut:end])]


def _rewrapped(text: str, rng: random.Random) -> list[dict[str, Any]]:
    while True:
        match = WORD.search(text, rng.randrange(len(text) - 400))
        if match is None or len(match.group()) < 5:
            continue
        cut = match.start() + rng.randint(2, len(match.group()) - 2)
        search = text[cut : cut + rng.randint(150, 200)]
        if (
            search.count("\n") == 2
            and "\n\n" not in search
            and unique(text, cut, cut + len(search))
        ):
            return [replace_op(search, "\n# Note\n" + search.replace("\n", " "))]


def probe_case(probe: str, kind: str, text: str, rng: random.Random) -> Case:
    """A fault the spec's rules are not written to catch; its detection rate is informative."""
    if probe == "rewritten_record_line":
        ops = _copy_fault(kind, text, rng, exact=False)[1]
    elif probe == "mid_word_inside_anchor":
        ops = _inside_anchor(kind, text, rng)
    elif probe == "loose_elision_marker":
        start, end = rng.choice(_paragraph_spans(kind, text))
        ops = [write_op(text[:start] + rng.choice(LOOSE_MARKERS) + text[end:])]
    elif probe == "most_separators_dropped":
        first = SEPARATOR.search(text)
        assert first is not None
        ops = [write_op(text[: first.end()] + BLANK_RUN.sub("\n", text[first.end() :]))]
    else:
        ops = _rewrapped(text, rng)
    return Case(probe, kind, probe, ops, probe)


# --- benign probes: harmless edits the random set rarely draws --------------------------------

BENIGN_PROBES = {
    "refrain_word_edit": ("prose", "crlf"),
    "new_function_boilerplate": ("code",),
    "two_neighbour_functions": ("code",),
}
_HANDLER = re.compile(r"^def handle_\w+\(request, context\):$", re.M)


def _refrain_edit(text: str, rng: random.Random) -> list[dict[str, Any]]:
    """A word of one copy of a repeated paragraph, anchored on the line before it."""
    spans = [m for m in SEPARATOR.finditer(text)]
    starts = [m.end() for m in spans]
    while True:
        k = rng.randrange(1, len(starts) - 1)
        begin, stop = starts[k], spans[k + 1].start() if k + 1 < len(spans) else len(text)
        paragraph = text[begin:stop]
        if len(paragraph) < 200 or text.count(paragraph) < 2:
            continue
        prev = text.rfind("\n", 0, spans[k].start()) + 1
        first = text.find("\n", begin)
        if unique(text, prev, first) and _inner_words(text, begin, first):
            edited = word_edit(text, (begin - 1, first), rng, False)[1:]
            return [replace_op(text[prev:first], text[prev:begin] + edited)]


def _new_function(text: str, rng: random.Random, index: int) -> list[dict[str, Any]]:
    """A new handler written like its neighbours (the house boilerplate included)."""
    while True:
        match = _HANDLER.search(text, rng.randrange(len(text) // 2))
        if match is not None and unique(text, match.start(), match.end()):
            line = match.group()
            return [replace_op(line, _function(rng, 900_000 + index) + "\n\n\n" + line)]


def _two_neighbours(text: str, rng: random.Random) -> list[dict[str, Any]]:
    """One proposal with a word edit in each of two adjacent functions."""
    starts = [m.start() for m in _HANDLER.finditer(text)]
    k = rng.randrange(len(starts) - 2)
    ops = []
    for lo, hi in ((starts[k], starts[k + 1]), (starts[k + 1], starts[k + 2])):
        span = pick_anchor(text, rng, "word", lo, hi)
        ops.append(replace_op(text[span[0] : span[1]], word_edit(text, span, rng, True)))
    return ops


def benign_probe_case(probe: str, kind: str, text: str, rng: random.Random, index: int) -> Case:
    if probe == "refrain_word_edit":
        ops = _refrain_edit(text, rng)
    elif probe == "new_function_boilerplate":
        ops = _new_function(text, rng, index)
    else:
        ops = _two_neighbours(text, rng)
    return Case(probe, kind, probe, ops, None, shown=text)
