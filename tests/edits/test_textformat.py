"""SEARCH/REPLACE blocks and format detection: parse into the JSON form's ModelEditResponse."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gitbench.edits import blocks
from gitbench.edits.reasons import ReasonCode
from gitbench.edits.results import Rejection
from gitbench.edits.schema import ModelEditResponse, ReplaceOp, WriteOp
from gitbench.edits.textformat import detect_format, parse_document, parse_text


def _parsed(text: str) -> ModelEditResponse:
    result = parse_text(text, "blocks")
    assert isinstance(result, ModelEditResponse), result
    return result


def _refused(text: str, fmt: str = "blocks") -> Rejection:
    result = parse_document(text, fmt)
    assert isinstance(result, Rejection), result
    return result


def _ops(response: ModelEditResponse) -> list[tuple[str, str, str, str]]:
    out = []
    for f in response.files:
        for op in f.ops:
            assert isinstance(op, ReplaceOp)
            out.append((f.path, f.action, op.search, op.replace))
    return out


PROSE = """Capitalise beta in the notes.

```markdown
notes.md
<<<<<<< SEARCH
beta
=======
BETA
>>>>>>> REPLACE
```

Hope that helps!
"""


def test_a_fenced_block_with_prose_and_a_language_tag_is_one_replace_op() -> None:
    response = _parsed(PROSE)
    assert _ops(response) == [("notes.md", "edit", "beta\n", "BETA\n")]
    assert response.summary == "Capitalise beta in the notes."


@pytest.mark.parametrize(
    "path_line",
    [
        "notes.md",
        "`notes.md`",
        "**notes.md**",
        "**`notes.md`**",
        "### notes.md",
        "notes.md:",
        "`notes.md`:",
        "# File: notes.md",
        "Path: `notes.md`",
    ],
)
def test_the_path_line_may_carry_backticks_bold_a_heading_or_a_colon(path_line: str) -> None:
    text = f"{path_line}\n<<<<<<< SEARCH\nbeta\n=======\nBETA\n>>>>>>> REPLACE\n"
    assert _ops(_parsed(text))[0][0] == "notes.md"


def test_the_path_may_sit_above_the_fence_or_in_a_fence_of_its_own() -> None:
    above = "notes.md\n```text\n<<<<<<< SEARCH\na\n=======\nb\n>>>>>>> REPLACE\n```\n"
    own = "```\nnotes.md\n```\n```python\n<<<<<<< SEARCH\na\n=======\nb\n>>>>>>> REPLACE\n```\n"
    assert _ops(_parsed(above)) == _ops(_parsed(own)) == [("notes.md", "edit", "a\n", "b\n")]


def test_blocks_of_one_fence_share_the_path_and_files_keep_their_order() -> None:
    text = (
        "```\nb.md\n<<<<<<< SEARCH\none\n=======\ntwo\n>>>>>>> REPLACE\n...\n"
        "<<<<<<< SEARCH\nthree\n=======\nfour\n>>>>>>> REPLACE\n```\n"
        "a.md\n<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\n"
    )
    response = _parsed(text)
    assert [(p, s) for p, _a, s, _r in _ops(response)] == [
        ("b.md", "one\n"),
        ("b.md", "three\n"),
        ("a.md", "x\n"),
    ]
    assert response.summary == "Apply 3 edit(s)"


def test_content_lines_are_kept_verbatim_including_fences_and_markdown() -> None:
    body = "```python\nprint(1)\n```\n  indented  \n\n# heading"
    text = f"doc.md\n<<<<<<< SEARCH\n{body}\n=======\n{body}!\n>>>>>>> REPLACE\n"
    (op,) = _parsed(text).files[0].ops
    assert isinstance(op, ReplaceOp)
    assert (op.search, op.replace) == (body + "\n", body + "!\n")


def test_an_empty_replace_deletes_the_lines() -> None:
    text = "notes.md\n<<<<<<< SEARCH\nbeta\n=======\n>>>>>>> REPLACE\n"
    assert _ops(_parsed(text)) == [("notes.md", "edit", "beta\n", "")]


def test_create_write_and_delete_are_explicit_blocks() -> None:
    text = (
        "new.md\n<<<<<<< CREATE\n# New\n>>>>>>> CREATE\n\n"
        "notes.md\n<<<<<<< WRITE\nall new\n>>>>>>> WRITE\n\n"
        "old.md\n<<<<<<< DELETE\n>>>>>>> DELETE\n"
    )
    files = _parsed(text).files
    assert [(f.path, f.action) for f in files] == [
        ("new.md", "create"),
        ("notes.md", "edit"),
        ("old.md", "delete"),
    ]
    assert files[0].ops == [WriteOp(op="write", content="# New\n")]
    assert files[1].ops == [WriteOp(op="write", content="all new\n")]
    assert files[2].ops == []


def test_a_crlf_document_reads_as_lf() -> None:
    text = PROSE.replace("\n", "\r\n")
    assert _ops(_parsed(text)) == [("notes.md", "edit", "beta\n", "BETA\n")]


@pytest.mark.parametrize(
    ("text", "line", "why"),
    [
        ("x.md\n<<<<<<< SEARCH\na\n=======\nb\n", 2, "not closed: expected >>>>>>> REPLACE"),
        ("x.md\n<<<<<<< SEARCH\na\nb\n", 2, "expected ======= then >>>>>>> REPLACE"),
        ("x.md\n<<<<<<< SEARCH\na\n>>>>>>> REPLACE\n", 4, "expected ======= between"),
        ("x.md\n<<<<<<< SEARCH\n=======\nb\n>>>>>>> REPLACE\n", 2, "empty SEARCH section"),
        ("x.md\n<<<<<<< SEARCH\na\n=======\na\n>>>>>>> REPLACE\n", 2, "identical"),
        ("<<<<<<< SEARCH\na\n=======\nb\n>>>>>>> REPLACE\n", 1, "no file path"),
        ("Here it is:\n<<<<<<< SEARCH\na\n=======\nb\n>>>>>>> REPLACE\n", 2, "is not a file path"),
        (
            "a.md\n<<<<<<< SEARCH\na\n=======\nb\n>>>>>>> REPLACE\nNow `b.md`:\n"
            "<<<<<<< SEARCH\nc\n=======\nd\n>>>>>>> REPLACE\n",
            8,
            "(line 7: 'Now `b.md`:') is not a file path",
        ),
        ("x.md\n<<<<<<< CREATE\na\n>>>>>>> WRITE\n", 4, "expected >>>>>>> CREATE"),
        ("x.md\n<<<<<<< DELETE\ntext\n>>>>>>> DELETE\n", 2, "takes no content"),
        ("x.md\n=======\n", 2, "outside a block"),
        (
            "x.md\n<<<<<<< SEARCH\na\n=======\n<<<<<<< SEARCH\n",
            5,
            "a new block opens before the SEARCH block of line 2 is closed",
        ),
        (
            "x.md\n<<<<<<< DELETE\n>>>>>>> DELETE\nx.md\n<<<<<<< SEARCH\na\n=======\nb\n>>>>>>> REPLACE\n",
            5,
            "must be the only edit of its file",
        ),
    ],
)
def test_malformed_blocks_are_schema_invalid_with_the_line_and_why(
    text: str, line: int, why: str
) -> None:
    rejection = _refused(text)
    assert rejection.reason is ReasonCode.SCHEMA_INVALID
    assert rejection.detail.startswith(f"line {line}: ")
    assert why in rejection.detail
    assert rejection.diagnostics == [
        {"format": "blocks", "line": line, "msg": rejection.detail.split(": ", 1)[1]}
    ]


@pytest.mark.parametrize("path", ["/etc/passwd", "../up.md", "a/../b.md", ".git/config"])
def test_an_unsafe_path_is_invalid_path_at_its_line(path: str) -> None:
    rejection = _refused(f"intro\n\n`{path}`\n<<<<<<< SEARCH\na\n=======\nb\n>>>>>>> REPLACE\n")
    assert (rejection.reason, rejection.path) == (ReasonCode.INVALID_PATH, path)
    assert rejection.detail.startswith("line 3: ")


def test_a_document_without_blocks_is_schema_invalid() -> None:
    rejection = _refused("just prose\n")
    assert rejection.reason is ReasonCode.SCHEMA_INVALID
    assert "no SEARCH/REPLACE block" in rejection.detail


def test_a_long_first_prose_line_is_cut_to_the_summary_limit() -> None:
    response = _parsed("x" * 300 + "\n\nnotes.md\n<<<<<<< SEARCH\na\n=======\nb\n>>>>>>> REPLACE\n")
    assert len(response.summary) == 200 and response.summary.endswith("...")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"summary": "s", "files": []}', "json"),
        (PROSE, "blocks"),
        ("--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n", "udiff"),
        ("diff --git a/x b/x\nnew file mode 100644\n", "udiff"),
        ("nothing to see", "json"),
    ],
)
def test_auto_detection(text: str, expected: str) -> None:
    assert detect_format(text) == expected


def test_json_documents_go_to_the_existing_path() -> None:
    assert parse_document('{"summary": "s"}', "auto") is None
    assert parse_document(PROSE, "json") is None


def test_a_document_that_is_not_utf8_is_schema_invalid() -> None:
    rejection = _refused(b"notes.md\n\xff\n", "blocks")  # type: ignore[arg-type]
    assert rejection.reason is ReasonCode.SCHEMA_INVALID and "not UTF-8" in rejection.detail


SAFE_LINE = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r"), max_size=20
).filter(
    lambda s: not (blocks.OPENER.match(s) or blocks.CLOSER.match(s) or blocks.DIVIDER.match(s))
)
SECTION = st.lists(SAFE_LINE, max_size=4).map(lambda lines: "".join(x + "\n" for x in lines))
PATH = st.from_regex(r"[a-z][a-z0-9_]{0,8}(/[a-z0-9_]{1,8}){0,2}\.(md|py|txt)", fullmatch=True)


@st.composite
def replace_responses(draw: st.DrawFn) -> ModelEditResponse:
    paths = draw(st.lists(PATH, min_size=1, max_size=3, unique=True))
    files = []
    for path in paths:
        ops = []
        for _ in range(draw(st.integers(1, 3))):
            search = draw(SECTION.filter(bool))
            replacement = draw(SECTION.filter(lambda r, s=search: r != s))
            ops.append({"op": "replace", "search": search, "replace": replacement})
        files.append({"path": path, "ops": ops})
    summary = draw(st.from_regex(r"[A-Z][a-z ]{0,30}[a-z]", fullmatch=True))
    return ModelEditResponse.model_validate({"summary": summary, "files": files})


@settings(max_examples=200, deadline=None)
@given(replace_responses())
def test_replace_responses_round_trip_through_the_blocks_renderer(
    response: ModelEditResponse,
) -> None:
    assert parse_text(blocks.render(response), "blocks") == response


def test_the_renderer_refuses_what_blocks_cannot_carry() -> None:
    partial = ModelEditResponse.model_validate(
        {
            "summary": "s",
            "files": [{"path": "a.md", "ops": [{"op": "replace", "search": "a", "replace": "b"}]}],
        }
    )
    with pytest.raises(ValueError, match="whole lines"):
        blocks.render(partial)


def _doc_example(name: str) -> str:
    doc = (Path(__file__).parents[2] / "docs" / "edits.md").read_text(encoding="utf-8")
    found = re.search(rf"<!-- example: {name} -->\n(`{{3,4}})\w*\n(.*?)\n\1\n", doc, re.DOTALL)
    assert found is not None, name
    return found.group(2) + "\n"


def test_the_documented_blocks_example_parses() -> None:
    response = _parsed(_doc_example("blocks"))
    assert response.summary == "Capitalise beta and add a page."
    assert [(f.path, f.action) for f in response.files] == [
        ("notes.md", "edit"),
        ("docs/new.md", "create"),
        ("guide.md", "edit"),
        ("old.md", "delete"),
    ]


def test_the_documented_udiff_example_parses() -> None:
    response = parse_text(_doc_example("udiff"), "udiff")
    assert isinstance(response, ModelEditResponse), response
    assert response.summary == "Capitalise beta."
    assert [(f.path, f.action, [op.op for op in f.ops]) for f in response.files] == [
        ("notes.md", "edit", ["replace_lines"]),
        ("docs/new.md", "create", ["write"]),
        ("old.md", "delete", []),
        ("guide.md", "edit", ["replace"]),
    ]


def test_the_summary_skips_rules_and_markup_only_lines() -> None:
    text = (
        "===\n---\n## Fix the intro\n\nnotes.md\n<<<<<<< SEARCH\na\n=======\nb\n>>>>>>> REPLACE\n"
    )
    assert _parsed(text).summary == "Fix the intro"


def test_the_renderer_writes_create_write_and_delete_blocks_that_parse_back() -> None:
    response = ModelEditResponse.model_validate(
        {
            "summary": "Three kinds",
            "files": [
                {"path": "new.md", "action": "create", "ops": [{"op": "write", "content": "n\n"}]},
                {"path": "all.md", "ops": [{"op": "write", "content": "w\n"}]},
                {"path": "old.md", "action": "delete"},
            ],
        }
    )
    assert parse_text(blocks.render(response), "blocks") == response


@pytest.mark.parametrize(
    ("op", "why"),
    [
        ({"op": "replace", "search": "a\n", "replace": "b\n", "occurrence": 2}, "cannot carry"),
        ({"op": "replace", "search": "=======\n", "replace": "b\n"}, "looks like a block marker"),
    ],
)
def test_the_renderer_refuses_options_and_marker_lines(op: dict[str, object], why: str) -> None:
    response = ModelEditResponse.model_validate(
        {"summary": "s", "files": [{"path": "a.md", "ops": [op]}]}
    )
    with pytest.raises(ValueError, match=why):
        blocks.render(response)


def test_a_fence_opened_inside_a_fence_does_not_close_it_and_no_final_newline_is_fine() -> None:
    text = "````\n```python\nnotes.md\n<<<<<<< SEARCH\na\n=======\nb\n>>>>>>> REPLACE\n````"
    assert _ops(_parsed(text)) == [("notes.md", "edit", "a\n", "b\n")]
