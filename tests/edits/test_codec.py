"""Bytes <-> view: encoding checks, BOM and EOL detection, byte-exact re-encoding."""

from __future__ import annotations

import pytest

from gitbench.edits.codec import EMPTY_VIEW, Splice, View, decode, detect_eol, encode, splice_text
from gitbench.edits.reasons import ReasonCode
from gitbench.edits.results import Rejection


def _view(data: bytes) -> View:
    view = decode(data, path="f")
    assert isinstance(view, View), view
    return view


@pytest.mark.parametrize(
    ("data", "eol"),
    [
        (b"", "none"),
        (b"one line", "none"),
        (b"a\rb", "none"),
        (b"a\nb\n", "lf"),
        (b"a\r\nb\r\n", "crlf"),
        (b"a\r\nb", "crlf"),
        (b"a\r\nb\n", "mixed"),
        (b"a\rb\n", "lf"),  # a lone CR is not a line break
        (b"a\r\r\nb\r\n", "crlf"),
    ],
)
def test_detect_eol_classifies_the_whole_file(data, eol):
    assert detect_eol(data) == eol
    view = decode(data, path="x")
    assert isinstance(view, View) and view.eol == eol  # decode classifies its own way
    assert view.text == (data.decode().replace("\r\n", "\n") if eol == "crlf" else data.decode())


def test_crlf_view_is_lf_and_mixed_view_keeps_the_cr():
    assert _view(b"a\r\nb\r\n") == View("a\nb\n", "crlf", bom=False)
    assert _view(b"a\r\nb\n") == View("a\r\nb\n", "mixed", bom=False)
    assert _view(b"a\rb\r\n") == View("a\rb\n", "crlf", bom=False)


def test_bom_is_stripped_and_remembered():
    assert _view(b"\xef\xbb\xbfhi\n") == View("hi\n", "lf", bom=True)


def test_nul_in_the_sniffed_prefix_is_unsupported_encoding():
    result = decode(b"abc\x00def", path="bin.dat")
    assert isinstance(result, Rejection)
    assert (result.reason, result.detail, result.path) == (
        ReasonCode.UNSUPPORTED_ENCODING,
        "NUL byte at offset 3",
        "bin.dat",
    )


def test_nul_after_the_sniffed_prefix_is_text():
    late_nul = decode(b"a" * 10 + b"\x00", path="f", sniff_bytes=10)
    assert isinstance(late_nul, View)
    assert late_nul.text == "a" * 10 + "\x00"
    assert isinstance(decode(b"a" * 10 + b"\x00", path="f", sniff_bytes=11), Rejection)


def test_invalid_utf8_reports_its_byte_offset_counting_the_bom():
    result = decode(b"\xef\xbb\xbfcaf\xe9", path="latin1.txt")
    assert isinstance(result, Rejection)
    assert result.detail == "not valid UTF-8 at byte 6"


def test_encode_copies_untouched_bytes_and_maps_inserted_lf_in_crlf_files():
    data = b"\xef\xbb\xbfone\r\ntwo\r\nthree\r\n"
    view = _view(data)
    start = view.text.index("two")
    splices = [Splice(start, start + 3, "2\n2b")]
    assert encode(data, view, splices) == b"\xef\xbb\xbfone\r\n2\r\n2b\r\nthree\r\n"


def test_encode_of_a_mixed_file_leaves_inserted_text_alone():
    data = b"a\r\nb\nc\n"
    view = _view(data)
    assert encode(data, view, [Splice(5, 6, "x\ny")]) == b"a\r\nb\nx\ny\n"


def test_encode_with_no_splices_is_the_identity_on_odd_bytes():
    data = "\ufeffé\u2028x\r\n\ry\x0c\r\n".encode()
    assert encode(data, _view(data), []) == data


def test_create_encodes_from_the_empty_view():
    assert encode(b"", EMPTY_VIEW, [Splice(0, 0, "new\nfile\n")]) == b"new\nfile\n"


def test_splice_text_reports_where_each_insert_landed():
    text, starts = splice_text("abcdef", [Splice(1, 2, "XYZ"), Splice(4, 4, "_")])
    assert (text, starts) == ("aXYZcd_ef", [1, 6])


def test_encode_measures_long_non_ascii_text_without_copying_it_whole():
    # Over a megabyte of multi-byte text before the splice: measured chunk by chunk.
    text = "\u00e9\u4e2d\U0001f600 " * 300_000 + "tail\n"
    data = text.encode()
    view = decode(data, path="x")
    assert isinstance(view, View)
    start = text.index("tail")
    new = encode(data, view, [Splice(start, start + 4, "TAIL")])
    assert new == text.replace("tail", "TAIL").encode()


def test_splice_text_of_a_long_text_equals_slicing_and_joining():
    text = "".join(f"line {i:07d}\n" for i in range(400_000))  # five megabytes
    splices = [
        Splice(10, 14, "X"),
        Splice(1_500_000, 1_500_000, "Y" * 10),
        Splice(2_000_000, 2_000_001, ""),
    ]
    after, starts = splice_text(text, splices)
    assert (
        after
        == text[:10]
        + "X"
        + text[14:1_500_000]
        + "Y" * 10
        + text[1_500_000:2_000_000]
        + text[2_000_001:]
    )
    assert starts == [10, 1_500_000 - 3, 2_000_000 + 7]
