"""The payload schema: validators, invalid_path (T23), blob ids, and the path property."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gitbench.edits.apply import parse_response
from gitbench.edits.reasons import ReasonCode, Stage
from gitbench.edits.results import Rejection
from gitbench.edits.schema import (
    InvalidPath,
    ModelEditResponse,
    ReplaceOp,
    blob_oid,
    validate_path,
)
from tests.support.gitcli import git


def _parse(*files: dict[str, Any], **top: Any) -> ModelEditResponse | Rejection:
    return parse_response(json.dumps({"summary": "s", "files": list(files), **top}))


def _replace(**fields: Any) -> dict[str, Any]:
    return {"op": "replace", "search": "a", "replace": "b", **fields}


def _schema_error(result: object) -> Rejection:
    assert isinstance(result, Rejection), result
    assert (result.reason, result.stage, result.retryable) == (
        ReasonCode.SCHEMA_INVALID,
        Stage.SCHEMA,
        True,
    )
    return result


@pytest.mark.parametrize("path", ["../x", "/etc/passwd", ".git/config", "a/./b", "a\\b", "a//b"])
def test_t23_unsafe_paths_are_invalid_path_not_schema_invalid(path):
    result = _parse({"path": path, "ops": [_replace()]})
    assert isinstance(result, Rejection)
    assert (result.reason, result.stage, result.retryable) == (
        ReasonCode.INVALID_PATH,
        Stage.SCHEMA,
        False,
    )
    assert result.path == path
    assert result.diagnostics[0]["loc"] == ["files", 0, "path"]


def test_invalid_path_wins_over_other_schema_errors():
    result = _parse({"path": "ok.md", "ops": []}, {"path": "a/../b", "ops": [_replace()]})
    assert isinstance(result, Rejection)
    assert result.reason is ReasonCode.INVALID_PATH


@pytest.mark.parametrize(
    ("path", "problem"),
    [
        ("a\\b", "contains a backslash"),
        ("a\x00b", "contains a NUL byte"),
        ("/abs", "is absolute"),
        ("", "has an empty, '.' or '..' component"),
        ("a/", "has an empty, '.' or '..' component"),
        ("src/.GIT/hooks", "names a .git directory"),
    ],
)
def test_validate_path_names_the_rule_broken(path, problem):
    assert validate_path(path) == InvalidPath(problem)


@pytest.mark.parametrize(
    "path", ["a", "docs/notes.md", ".github/x.yml", "a/.gitignore", "..a/b..", "é/ü"]
)
def test_validate_path_accepts_ordinary_paths(path):
    assert validate_path(path) == path


_PATH_CHARS = st.sampled_from(["a", "b", ".", "/", "\\", "\x00", "g", "i", "t", "G", "I", "T", " "])


@settings(max_examples=400, deadline=None)
@given(st.text(_PATH_CHARS, max_size=14))
def test_validator_never_accepts_an_unsafe_path(path):
    if validate_path(path) != path:
        return
    parts = path.split("/")
    assert path and not path.startswith("/")
    assert "\\" not in path and "\x00" not in path
    assert not any(part in ("", ".", "..") for part in parts)
    assert not any(part.lower() == ".git" for part in parts)


_SAFE_PART = st.text(st.sampled_from("abz09_-é"), min_size=1, max_size=5)
_BAD_PART = st.sampled_from(["", ".", "..", ".git", ".Git", "a\\b", "x\x00"])


@settings(max_examples=200, deadline=None)
@given(st.lists(_SAFE_PART, max_size=4), _BAD_PART, st.lists(_SAFE_PART, max_size=4), st.booleans())
def test_validator_refuses_any_path_with_an_unsafe_part(before, bad, after, absolute):
    path = ("/" if absolute else "") + "/".join([*before, bad, *after])
    assert isinstance(validate_path(path), InvalidPath)
    safe = "/".join([*before, "ok", *after])
    assert validate_path(safe) == safe  # control: the same path with the bad part swapped


@pytest.mark.parametrize("data", [b"", b"alpha beta gamma\n", bytes(range(256)) * 3])
def test_blob_oid_matches_git_hash_object(tmp_path, data):
    assert blob_oid(data) == git("hash-object", "--stdin", cwd=tmp_path, input=data)


@pytest.mark.parametrize(
    ("op", "message"),
    [
        (_replace(replace="a"), "noop: search == replace"),
        (_replace(occurrence=1, replace_all=True, expect_count=1), "exclusive"),
        (_replace(replace_all=True), "replace_all requires expect_count"),
        (_replace(expect_count=2), "replace_all requires expect_count"),
        (_replace(search=""), "at least 1 character"),
        (_replace(occurrence=0), "greater than or equal to 1"),
        (
            {"op": "replace_lines", "start_line": 0, "end_line": 0, "old_text": "", "new_text": ""},
            "greater",
        ),
        ({"op": "delete_everything"}, "does not match any of the expected tags"),
        (_replace(extra=True), "Extra inputs are not permitted"),
    ],
)
def test_op_validators_refuse_inconsistent_ops(op, message):
    result = _schema_error(_parse({"path": "a.md", "ops": [op]}))
    assert message in result.diagnostics[0]["msg"]


@pytest.mark.parametrize(
    ("file", "message"),
    [
        ({"path": "a.md", "action": "delete", "ops": [_replace()]}, "delete takes no ops"),
        (
            {"path": "a.md", "action": "create", "ops": [_replace()]},
            "create takes exactly one write",
        ),
        ({"path": "a.md", "action": "create", "ops": []}, "create takes exactly one write"),
        ({"path": "a.md", "ops": []}, "edit needs at least one op"),
        (
            {"path": "a.md", "ops": [{"op": "write", "content": "x"}, _replace()]},
            "write must be the only op",
        ),
        ({"path": "a.md", "ops": [_replace()], "expected_blob": "XYZ"}, "should match pattern"),
    ],
)
def test_file_shape_is_validated(file, message):
    result = _schema_error(_parse(file))
    assert message in result.diagnostics[0]["msg"]


def test_duplicate_paths_and_bad_envelopes_are_schema_invalid():
    file = {"path": "a.md", "ops": [_replace()]}
    assert "duplicate path" in _schema_error(_parse(file, file)).diagnostics[0]["msg"]
    assert _schema_error(_parse(file, schema_version=2))
    assert _schema_error(parse_response(b"{not json"))
    assert _schema_error(parse_response(json.dumps({"summary": "", "files": [file]})))


def test_schema_diagnostics_never_echo_the_models_text():
    secret = "the file's private sentence"
    result = _schema_error(
        _parse({"path": "a.md", "ops": [_replace(search=secret, replace=secret)]})
    )
    assert secret not in result.model_dump_json()
    assert result.detail == "1 schema error(s), first at files.0.ops.0.replace"


def test_model_text_is_never_stripped():
    parsed = _parse({"path": "a.md", "ops": [_replace(search="  a \n", replace=" b\t")]})
    assert isinstance(parsed, ModelEditResponse)
    op = parsed.files[0].ops[0]
    assert isinstance(op, ReplaceOp)
    assert (op.search, op.replace) == ("  a \n", " b\t")


def test_empty_replacement_is_a_valid_deletion():
    parsed = _parse({"path": "a.md", "ops": [_replace(replace="")]})
    assert isinstance(parsed, ModelEditResponse)


def test_sha256_length_blob_ids_are_accepted_in_echoes():
    parsed = _parse({"path": "a.md", "ops": [_replace()], "expected_blob": "a" * 64})
    assert isinstance(parsed, ModelEditResponse)
