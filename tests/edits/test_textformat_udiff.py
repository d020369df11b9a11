"""Unified diffs as edits: exact hunks, /dev/null, path safety, malformed hunks refused."""

from __future__ import annotations

import difflib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gitbench.edits.apply import apply_file
from gitbench.edits.reasons import ReasonCode
from gitbench.edits.results import FileResult, Rejection
from gitbench.edits.schema import ModelEditResponse, ReplaceLinesOp, ReplaceOp, WriteOp
from gitbench.edits.settings import EditSettings
from gitbench.edits.textformat import parse_document, parse_text

NO_INSPECTOR = EditSettings(inspector=False)


def _parsed(text: str) -> ModelEditResponse:
    result = parse_text(text, "udiff")
    assert isinstance(result, ModelEditResponse), result
    return result


def _refused(text: str) -> Rejection:
    result = parse_text(text, "udiff")
    assert isinstance(result, Rejection), result
    return result


def _apply(before: str, text: str, settings: EditSettings = NO_INSPECTOR) -> bytes | Rejection:
    (edit,) = _parsed(text).files
    result = apply_file(edit.path, before.encode(), edit.ops, settings=settings)
    return (
        result.new_bytes
        if isinstance(result, FileResult) and result.new_bytes is not None
        else result
    )  # type: ignore[return-value]


def unified(old: str, new: str, path: str = "f.txt") -> str:
    """What `diff -u` prints, with git's a/ b/ prefixes and "\\ No newline" markers."""
    out = [f"--- a/{path}\n", f"+++ b/{path}\n"]
    for line in list(difflib.unified_diff(old.splitlines(True), new.splitlines(True), n=2))[2:]:
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


GIT_DIFF = """I capitalised beta.

```diff
diff --git a/notes.md b/notes.md
index 1111111..2222222 100644
--- a/notes.md
+++ b/notes.md
@@ -1,2 +1,2 @@
 alpha
-beta
+BETA
```
"""


def test_a_git_diff_in_a_fence_with_prose_becomes_an_exact_lines_op() -> None:
    response = _parsed(GIT_DIFF)
    assert response.summary == "I capitalised beta."
    (edit,) = response.files
    assert edit.path == "notes.md"
    assert edit.ops == [
        ReplaceLinesOp(
            op="replace_lines",
            start_line=1,
            end_line=2,
            old_text="alpha\nbeta",
            new_text="alpha\nBETA",
        )
    ]
    assert _apply("alpha\nbeta\ngamma\n", GIT_DIFF) == b"alpha\nBETA\ngamma\n"


def test_context_must_match_exactly_at_the_declared_lines() -> None:
    shifted = _apply("zero\nalpha\nbeta\n", GIT_DIFF)  # same text one line lower: no offset search
    assert isinstance(shifted, Rejection) and shifted.reason is ReasonCode.OLD_TEXT_MISMATCH
    changed = _apply("alpha\nbeta \n", GIT_DIFF)
    assert isinstance(changed, Rejection) and changed.reason is ReasonCode.OLD_TEXT_MISMATCH


def test_a_hunk_without_numbers_is_an_exact_unique_replace() -> None:
    text = "--- notes.md\n+++ notes.md\n@@ ... @@\n alpha\n-beta\n+BETA\n"
    (edit,) = _parsed(text).files
    assert edit.ops == [ReplaceOp(op="replace", search="alpha\nbeta\n", replace="alpha\nBETA\n")]
    twice = _apply("alpha\nbeta\nalpha\nbeta\n", text)
    assert isinstance(twice, Rejection) and twice.reason is ReasonCode.AMBIGUOUS_MATCH


def test_dev_null_creates_and_deletes() -> None:
    text = (
        "--- /dev/null\n+++ b/new.md\n@@ -0,0 +1,2 @@\n+# New\n+text\n"
        "--- a/old.md\n+++ /dev/null\n@@ -1 +0,0 @@\n-gone\n"
    )
    files = _parsed(text).files
    assert [(f.path, f.action) for f in files] == [("new.md", "create"), ("old.md", "delete")]
    assert files[0].ops == [WriteOp(op="write", content="# New\ntext\n")]


def test_an_empty_new_file_from_git_has_no_hunk() -> None:
    text = "diff --git a/empty.txt b/empty.txt\nnew file mode 100644\nindex 0000000..e69de29\n"
    (edit,) = _parsed(text).files
    assert (edit.path, edit.action, edit.ops) == (
        "empty.txt",
        "create",
        [WriteOp(op="write", content="")],
    )


def test_quoted_names_and_timestamps_and_spaces() -> None:
    quoted = '--- "a/caf\\303\\251 menu.md"\n+++ "b/caf\\303\\251 menu.md"\n@@ -1 +1 @@\n-a\n+b\n'
    assert _parsed(quoted).files[0].path == "café menu.md"
    stamped = "--- notes.md\t2024-01-01 10:00:00\n+++ notes.md\t2024-01-02 10:00:00\n@@ -1 +1 @@\n-a\n+b\n"
    assert _parsed(stamped).files[0].path == "notes.md"
    spaced = "--- dir name/f.txt\n+++ dir name/f.txt\n@@ ... @@\n-a\n+b\n"
    assert _parsed(spaced).files[0].path == "dir name/f.txt"


def test_a_plain_diff_of_two_names_edits_the_old_file_but_git_renames_are_refused() -> None:
    assert _parsed("--- lao\n+++ tzu\n@@ -1 +1 @@\n-a\n+b\n").files[0].path == "lao"
    rejection = _refused("--- a/lao\n+++ b/tzu\n@@ -1 +1 @@\n-a\n+b\n")
    assert "renames are not supported" in rejection.detail


@pytest.mark.parametrize(
    ("header", "path"),
    [
        ("--- /etc/passwd\n+++ /etc/passwd\n", "/etc/passwd"),
        ("--- a/../up.md\n+++ b/../up.md\n", "../up.md"),
        ("--- /dev/null\n+++ b/.git/hooks/x\n", ".git/hooks/x"),
    ],
)
def test_unsafe_paths_are_invalid_path(header: str, path: str) -> None:
    rejection = _refused(header + "@@ -1 +1 @@\n-a\n+b\n")
    assert (rejection.reason, rejection.path) == (ReasonCode.INVALID_PATH, path)
    assert rejection.detail.startswith("line 1: ")


@pytest.mark.parametrize(
    ("text", "line", "why"),
    [
        (
            "--- a/x\n+++ b/x\n@@ -1,3 +1,3 @@\n a\n-b\n+c\n",
            3,
            "declares 3 old and 3 new lines but ends after 2 old",
        ),
        ("--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n+c\n", 6, "more hunk lines follow"),
        ("--- a/x\n+++ b/x\n@@ -1,2 +1 @@\n-a\n+b\n+c\n-d\n", 7, "but has 2 old and 2 new"),
        ("--- a/x\n+++ b/x\n@@ -1,3 +1,3 @@\n a\n-b\n+c\nprose\n", 7, "ends after 2 old and 2 new"),
        ("@@ -1 +1 @@\n-a\n+b\n", 1, "before any --- / +++ file header"),
        ("--- a/x\n+++ b/x\n@@ -1 +1 @@\n a\n", 3, "changes nothing"),
        ("--- a/x\n+++ b/x\n@@ ... @@\n+new\n", 3, "needs a context or removed line"),
        ("--- /dev/null\n+++ b/x\n@@ ... @@\n-Original\n+Modified\n", 3, "has no old lines"),
        ("--- a/x\n+++ /dev/null\n@@ -1 +1 @@\n-a\n+b\n", 3, "may only remove"),
        ("--- a/x\n+++ b/x\n", 1, "has no hunk"),
        ("--- /dev/null\n+++ /dev/null\n", 1, "both sides"),
        (
            "diff --git a/x b/y\nrename from x\nrename to y\n",
            2,
            "not supported in an edit: rename from",
        ),
        (
            "diff --git a/x b/x\nBinary files a/x and b/x differ\n",
            2,
            "not supported in an edit: Binary files",
        ),
        ('--- "a/x\n+++ "a/x\n@@ -1 +1 @@\n-a\n+b\n', 1, "unterminated quoted file name"),
        (
            "diff --git a/l b/l\nnew file mode 120000\n--- /dev/null\n+++ b/l\n@@ -0,0 +1 @@\n+t\n",
            2,
            "not a regular file (new file mode 120000)",
        ),
        ("diff --git a/m b/m\nold mode 100644\nnew mode 160000\n", 3, "not a regular file"),
    ],
)
def test_malformed_diffs_are_refused_with_the_line_and_why(text: str, line: int, why: str) -> None:
    rejection = _refused(text)
    assert rejection.reason is ReasonCode.SCHEMA_INVALID
    assert rejection.detail.startswith(f"line {line}: "), rejection.detail
    assert why in rejection.detail


def test_no_newline_markers_keep_or_drop_the_final_line_break() -> None:
    assert _apply("a\nb", unified("a\nb", "a\nc\n")) == b"a\nc\n"
    assert _apply("a\nb\n", unified("a\nb\n", "a\nc")) == b"a\nc"
    assert _apply("a\nb", unified("a\nb", "a\nc")) == b"a\nc"


def test_a_diff_of_a_crlf_file_with_cr_on_every_line_applies_to_its_lf_view() -> None:
    text = "--- a/w.txt\n+++ b/w.txt\n@@ -1,2 +1,2 @@\n one\r\n-two\r\n+TWO\r\n"
    assert _apply("one\r\ntwo\r\n", text) == b"one\r\nTWO\r\n"


def test_an_empty_context_line_whose_space_was_stripped_still_counts() -> None:
    text = "--- a/p.md\n+++ b/p.md\n@@ -1,3 +1,3 @@\n a\n\n-b\n+B\n"
    assert _apply("a\n\nb\n", text) == b"a\n\nB\n"


LINES = st.lists(st.sampled_from(["a", "b", "c", "", "dd", "a b"]), max_size=8)


@settings(max_examples=300, deadline=None)
@given(LINES, LINES, st.booleans(), st.booleans())
def test_applying_a_unified_diff_gives_exactly_the_new_file(
    old_lines: list[str], new_lines: list[str], old_eol: bool, new_eol: bool
) -> None:
    old = "\n".join(old_lines) + ("\n" if old_eol and old_lines else "")
    new = "\n".join(new_lines) + ("\n" if new_eol and new_lines else "")
    if old == new or not old:
        return
    result = parse_document(unified(old, new), "udiff")
    assert isinstance(result, ModelEditResponse), (result, unified(old, new))
    (edit,) = result.files
    applied = apply_file("f.txt", old.encode(), edit.ops, settings=NO_INSPECTOR)
    assert isinstance(applied, FileResult), (applied, unified(old, new))
    assert applied.new_bytes == new.encode()


def test_a_format_patch_mail_signature_ends_the_diff() -> None:
    text = "Subject: [PATCH] x\n---\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n-- \n2.39.0\n"
    assert _parsed(text).files[0].path == "x"


def test_an_empty_crlf_context_line_and_a_separator_rule_after_the_diff() -> None:
    text = "--- a/w.txt\n+++ b/w.txt\n@@ -1,3 +1,3 @@\n one\r\n\r\n-two\r\n+TWO\r\n---\n\nThanks!\n"
    assert _apply("one\r\n\r\ntwo\r\n", text) == b"one\r\n\r\nTWO\r\n"


def test_an_unsafe_name_is_refused_at_its_header_before_the_hunks_are_read() -> None:
    rejection = _refused("--- /tmp/o\n+++ /tmp/n\n@@ -1,3 +1,9 @@\n")
    assert (rejection.reason, rejection.detail) == (
        ReasonCode.INVALID_PATH,
        "line 1: path '/tmp/o' is absolute",
    )


def test_escapes_in_quoted_names_and_their_refusals() -> None:
    assert (
        _parsed('--- "a/tab\\there"\n+++ "b/tab\\there"\n@@ -1 +1 @@\n-a\n+b\n').files[0].path
        == "tab\there"
    )
    for name, why in (('"a/x\\q"', "bad escape"), ('"a/x\\377"', "is not UTF-8")):
        rejection = _refused(f"--- {name}\n+++ {name}\n@@ -1 +1 @@\n-a\n+b\n")
        assert why in rejection.detail


def test_a_loose_hunk_keeps_inner_empty_lines_and_stops_at_trailing_ones() -> None:
    text = "--- p.md\n+++ p.md\n@@ ... @@\n a\n\n-b\n+B\n\n\nThanks\n"
    (edit,) = _parsed(text).files
    assert edit.ops == [ReplaceOp(op="replace", search="a\n\nb\n", replace="a\n\nB\n")]
    assert _parsed(text).summary == "Thanks"
    at_end = "--- p.md\n+++ p.md\n@@ ... @@\n-b\n+B\n\n\n"
    assert _parsed(at_end).files[0].ops == [ReplaceOp(op="replace", search="b\n", replace="B\n")]


def test_pure_insertions_and_a_single_empty_replacement_line() -> None:
    insert = "--- a/f\n+++ b/f\n@@ -1,0 +2,2 @@\n+x\n+y\n"
    assert _apply("a\nb\n", insert) == b"a\nx\ny\nb\n"
    blank = "--- a/f\n+++ b/f\n@@ -2 +2 @@\n-b\n+\n"
    (edit,) = _parsed(blank).files
    assert edit.ops == [ReplaceOp(op="replace", search="b\n", replace="\n")]
    assert _apply("a\nb\nc\n", blank) == b"a\n\nc\n"


@pytest.mark.parametrize(
    ("text", "line", "why"),
    [
        (
            "--- /dev/null\n+++ b/n\n@@ -0,0 +1 @@\n+a\n@@ -0,0 +2 @@\n+b\n",
            5,
            "a new file (--- /dev/null) takes one hunk",
        ),
        ("--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n late\n", 6, "a hunk line outside a hunk"),
        ("diff --git a/x c/y\nnew file mode 100644\n", 1, "cannot read the file name"),
    ],
)
def test_more_malformed_shapes(text: str, line: int, why: str) -> None:
    rejection = _refused(text)
    assert rejection.detail.startswith(f"line {line}: ") and why in rejection.detail, (
        rejection.detail
    )


def test_an_empty_file_deleted_by_git_has_no_hunk() -> None:
    text = "diff --git a/e.txt b/e.txt\ndeleted file mode 100644\nindex e69de29..0000000\n"
    (edit,) = _parsed(text).files
    assert (edit.path, edit.action) == ("e.txt", "delete")


def test_two_loose_hunks_of_one_file_are_two_exact_replaces() -> None:
    text = "--- p.md\n+++ p.md\n@@ ... @@\n-a\n+A\n@@ ... @@\n-c\n+C\n"
    assert _apply("a\nb\nc\n", text) == b"A\nb\nC\n"
