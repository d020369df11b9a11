"""docs/edits.md is generated from, and checked against, the code."""

from __future__ import annotations

import json
import re
from pathlib import Path

from gitbench.edits.apply import parse_response
from gitbench.edits.reasons import ReasonCode, reason_table
from gitbench.edits.schema import ModelEditResponse
from gitbench.edits.settings import EditSettings, settings_table

DOC = (Path(__file__).parents[2] / "docs" / "edits.md").read_text(encoding="utf-8")


def test_every_reason_code_is_documented():
    missing = [code.value for code in ReasonCode if f"`{code.value}`" not in DOC]
    assert missing == []


def test_reason_table_in_the_docs_is_the_generated_one():
    assert reason_table() in DOC


def test_settings_table_in_the_docs_is_the_generated_one():
    assert settings_table() in DOC
    assert all(f"`{name}`" in DOC for name in EditSettings.model_fields)


def test_the_documented_example_is_a_valid_response():
    example = re.search(r"```json\n(.*?)```", DOC, re.DOTALL)
    assert example is not None
    parsed = parse_response(example.group(1))
    assert isinstance(parsed, ModelEditResponse), parsed
    assert {op.op for f in parsed.files for op in f.ops} == {"replace", "replace_lines", "write"}
    assert json.loads(example.group(1))["schema_version"] == 1
