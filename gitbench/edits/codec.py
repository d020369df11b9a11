"""Bytes <-> view: steps 1 and 5 of the apply algorithm (spec: Apply algorithm).

`decode` turns blob bytes into a `View`: strict UTF-8, BOM stripped, CRLF shown as LF when every
line break of the file is CRLF. `encode` writes a spliced view back: bytes outside the edited
regions are copied verbatim from the original, only inserted text is encoded (with LF -> CRLF for
CRLF files) and the BOM is put back. Only `\\n` is a line break here: `str.splitlines()` also
splits on U+2028, form feed and others, which would corrupt such files.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from gitbench.edits.reasons import ReasonCode
from gitbench.edits.results import Rejection, reject

BOM = b"\xef\xbb\xbf"
_CHUNK = 1 << 20
# Pieces joined before they grow the spliced view: each growth may copy it (realloc), so
# fewer, larger ones are faster; each is held twice while joined, so not too large.
_SPLICE_CHUNK = 4 << 20
Eol = Literal["lf", "crlf", "mixed", "none"]


@dataclass(frozen=True, slots=True)
class View:
    """The text an op is addressed against, and what is needed to encode it back."""

    text: str
    eol: Eol
    bom: bool


EMPTY_VIEW = View("", "none", bom=False)


@dataclass(frozen=True, slots=True)
class Splice:
    """Replace view[start:end] with `text` (view coordinates, already EOL-normalized)."""

    start: int
    end: int
    text: str


def detect_eol(data: bytes) -> Eol:
    """Classify the line breaks of the whole file."""
    # Membership tests stop early or run at memchr speed; counting is needed only when the
    # file has both kinds of line break candidates (#6: two full counts were 13 ms at 10 MB).
    if b"\n" not in data:
        return "none"
    if b"\r" not in data:
        return "lf"
    lf, crlf = data.count(b"\n"), data.count(b"\r\n")
    if crlf == lf:
        return "crlf"
    return "lf" if crlf == 0 else "mixed"


def decode(data: bytes, *, path: str, sniff_bytes: int = 8000) -> View | Rejection:
    """The view of `data`, or unsupported_encoding for binary or non-UTF-8 bytes."""
    nul = data.find(b"\x00", 0, sniff_bytes)
    if nul >= 0:
        return reject(ReasonCode.UNSUPPORTED_ENCODING, f"NUL byte at offset {nul}", path=path)
    bom = data.startswith(BOM)
    body = data[len(BOM) :] if bom else data
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = exc.start + (len(BOM) if bom else 0)
        detail = f"not valid UTF-8 at byte {offset}"
        return reject(ReasonCode.UNSUPPORTED_ENCODING, detail, path=path)
    eol, text = _eol_view(body, text)
    return View(text, eol, bom)


def _eol_view(body: bytes, text: str) -> tuple[Eol, str]:
    """`detect_eol(body)` and the view text; for a CRLF file the CRLF -> LF copy is made
    anyway, and counting in it saves one of detect_eol's two full counts (#6)."""
    if b"\n" not in body or b"\r" not in body:
        return detect_eol(body), text
    lf_view = text.replace("\r\n", "\n")
    pairs, breaks = len(text) - len(lf_view), lf_view.count("\n")
    if pairs == breaks:
        return "crlf", lf_view
    return ("lf" if pairs == 0 else "mixed"), text


def normalize_inserted(text: str, view: View) -> str:
    """Inserted text as it must appear in the view of `view`'s file.

    A CRLF file's view has no CR before LF; a model that echoes CRLF would otherwise get
    `\\r\\r\\n` once LF is mapped back to CRLF.
    """
    return text.replace("\r\n", "\n") if view.eol == "crlf" else text


def _encoded_len(view: View, start: int, end: int) -> int:
    extra = view.text.count("\n", start, end) if view.eol == "crlf" else 0  # each LF was a CRLF
    return _utf8_len(view.text, start, end) + extra


def _utf8_len(text: str, start: int, end: int) -> int:
    # Without encoding (or slicing) the kept text whole: an ASCII str says so in O(1), and
    # other text is measured a chunk at a time, so no second copy of the file is made.
    if text.isascii():
        return end - start
    return sum(
        len(text[i : min(i + _CHUNK, end)].encode("utf-8")) for i in range(start, end, _CHUNK)
    )


def _encode_inserted(text: str, view: View) -> bytes:
    if view.eol == "crlf":
        text = text.replace("\n", "\r\n")
    return text.encode("utf-8")


Encoding = list[tuple[int, int, bytes]]  # original[start:end] becomes these bytes, in order


def encode(original: bytes, view: View, splices: Sequence[Splice]) -> bytes:
    """New file bytes: `original` with each splice applied (splices sorted, non-overlapping)."""
    return apply_encoding(original, plan_encoding(view, splices))


def plan_encoding(view: View, splices: Sequence[Splice]) -> Encoding:
    """Where each splice falls in the original bytes, and its encoded text: all `encode`
    needs of the view, so the view can be let go before the new bytes are made."""
    plan: Encoding = []
    byte_pos = len(BOM) if view.bom else 0
    view_pos = 0
    for splice in splices:
        start = byte_pos + _encoded_len(view, view_pos, splice.start)
        byte_pos = start + _encoded_len(view, splice.start, splice.end)
        plan.append((start, byte_pos, _encode_inserted(splice.text, view)))
        view_pos = splice.end
    return plan


def apply_encoding(original: bytes, plan: Encoding) -> bytes:
    """`original` with the planned replacements; the rest (and the BOM) copied verbatim."""
    kept = memoryview(original)  # slices of a memoryview are not copies (#6: 2.6x peak before)
    out: list[bytes | memoryview] = []
    pos = 0
    for start, end, inserted in plan:
        out += [kept[pos:start], inserted]
        pos = end
    out.append(kept[pos:])
    return b"".join(out)


def splice_starts(splices: Sequence[Splice]) -> list[int]:
    """Where each splice's text starts once spliced (as `splice_text` gives them)."""
    starts, shift = [], 0
    for splice in splices:
        starts.append(splice.start + shift)
        shift += len(splice.text) - (splice.end - splice.start)
    return starts


def splice_text(text: str, splices: Sequence[Splice]) -> tuple[str, list[int]]:
    """The spliced view and where each splice's text starts in it (the after coordinates)."""
    # Built left to right from the original offsets, which is what splicing right to left
    # achieves in place: every region is addressed in the original view. Grown with `+=` a
    # chunk at a time, which CPython resizes in place while `after` has no other reference:
    # slicing the kept text whole and joining it held a second copy of the file (#6). Small
    # pieces are joined first, so 100 splices do not mean 200 resizes of a 10 MB string.
    after = ""
    pending: list[str] = []
    size = 0  # of the pending pieces
    starts: list[int] = []
    pos = 0
    for splice in [*splices, Splice(len(text), len(text), "")]:
        for i in range(pos, splice.start, _CHUNK):
            piece = text[i : min(i + _CHUNK, splice.start)]
            pending.append(piece)
            size += len(piece)
            if size >= _SPLICE_CHUNK:
                after += "".join(pending)
                pending, size = [], 0
        starts.append(len(after) + size)
        pending.append(splice.text)
        size += len(splice.text)
        pos = splice.end
    after += "".join(pending)
    return after, starts[:-1]
