"""`gitbench apply --format blocks|udiff|auto` end to end on a real workbench."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.common import ok
from tests.support.cli import run
from tests.support.gitcli import all_refs, git

BLOCKS = """Capitalise beta

```markdown
notes.md
<<<<<<< SEARCH
beta
=======
BETA
>>>>>>> REPLACE
```

docs/new.md
<<<<<<< CREATE
# New
>>>>>>> CREATE
"""

UDIFF = """diff --git a/notes.md b/notes.md
--- a/notes.md
+++ b/notes.md
@@ -1,2 +1,3 @@
 alpha
+between
 beta
--- a/docs/guide.md
+++ /dev/null
@@ -1 +0,0 @@
-# Guide
"""


@pytest.mark.parametrize("fmt", ["blocks", "auto"])
def test_apply_blocks_makes_one_draft_commit(bench_path: Path, fmt: str) -> None:
    result = ok(bench_path, "apply", "--format", fmt, "-", input=BLOCKS)
    assert result["status"] == "applied"
    assert [(f["path"], f["action"]) for f in result["files"]] == [
        ("notes.md", "edit"),
        ("docs/new.md", "create"),
    ]
    assert git("show", "draft:notes.md", cwd=bench_path) == "alpha\nBETA"
    assert git("show", "draft:docs/new.md", cwd=bench_path) == "# New"
    assert git("log", "-1", "--format=%s", "draft", cwd=bench_path) == "Capitalise beta"
    assert git("rev-list", "--count", "main..draft", cwd=bench_path) == "1"


@pytest.mark.parametrize("fmt", ["udiff", "auto"])
def test_apply_a_unified_diff_from_a_file(bench_path: Path, work_dir: Path, fmt: str) -> None:
    patch = work_dir / "change.diff"
    patch.write_text(UDIFF)
    result = ok(bench_path, "apply", "--format", fmt, str(patch))
    assert result["status"] == "applied"
    assert git("show", "draft:notes.md", cwd=bench_path) == "alpha\nbetween\nbeta"
    assert "docs/guide.md" not in git("ls-tree", "-r", "--name-only", "draft", cwd=bench_path)
    assert git("log", "-1", "--format=%s", "draft", cwd=bench_path) == "Apply 2 edit(s)"


def test_a_diff_whose_context_does_not_match_is_refused_and_nothing_moves(bench_path: Path) -> None:
    stale = UDIFF.replace(" alpha", " ALPHA")
    before = all_refs(bench_path)
    result = run(bench_path, "--json", "apply", "--format", "udiff", "-", input=stale)
    assert result.exit_code == 8
    error = result.json()["error"]
    assert (error["code"], error["phase"], error["subphase"]) == (
        "EDIT_REJECTED",
        "resolve",
        "old_text_mismatch",
    )
    after = all_refs(bench_path)
    assert after.pop("refs/notes/gitbench/failures")
    assert after == before


def test_a_malformed_block_is_schema_invalid_with_its_line_and_is_recorded(
    bench_path: Path,
) -> None:
    before = all_refs(bench_path)
    broken = "notes.md\n<<<<<<< SEARCH\nbeta\n>>>>>>> REPLACE\n"
    result = run(bench_path, "--json", "apply", "-", input=broken)
    assert result.exit_code == 8
    error = result.json()["error"]
    assert (error["phase"], error["subphase"]) == ("schema", "schema_invalid")
    assert error["detail"]["diagnostics"] == [
        {
            "format": "blocks",
            "line": 4,
            "msg": "expected ======= between SEARCH and REPLACE (block of line 2)",
        }
    ]
    assert [a["action"] for a in error["actions"]] == ["view_report", "review_draft"]
    after = all_refs(bench_path)
    assert after.pop("refs/notes/gitbench/failures")
    assert after == before
    (failure,) = ok(bench_path, "failures")["failures"]
    assert failure["code"] == "EDIT_REJECTED" and failure["command"] == "apply"


def test_an_unsafe_diff_path_is_invalid_path(bench_path: Path) -> None:
    escape = "--- a/../outside.md\n+++ b/../outside.md\n@@ -1 +1 @@\n-a\n+b\n"
    result = run(bench_path, "--json", "apply", "-", input=escape)
    assert result.exit_code == 8
    assert result.json()["error"]["subphase"] == "invalid_path"


def test_the_inspector_guards_text_formats_too(bench_path: Path) -> None:
    text = "notes.md\n<<<<<<< WRITE\nalpha\n>>>>>>> WRITE\n"  # a write that drops half the words
    result = run(bench_path, "--json", "apply", "-", input=text)
    assert result.exit_code == 8
    assert result.json()["error"]["subphase"] == "token_drift"


def test_json_documents_still_apply_and_format_json_refuses_blocks(bench_path: Path) -> None:
    edit = '{"summary": "s", "files": [{"path": "notes.md", "ops": [{"op": "replace", "search": "alpha", "replace": "A"}]}]}'
    assert ok(bench_path, "apply", "-", input=edit)["status"] == "applied"
    result = run(bench_path, "--json", "apply", "--format", "json", "-", input=BLOCKS)
    assert result.json()["error"]["subphase"] == "schema_invalid"
