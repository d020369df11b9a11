"""The answer schema in each provider's dialect: the real workshop schema, walked node by
node against the rules the providers document."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from gitbench.providers.schemas import drop_nulls, gemini, openai_strict
from gitbench.services.answers import Answer

UNSUPPORTED = {"default", "title", "discriminator", "minLength", "maxLength", "oneOf", "const"}


def nodes(schema: Any) -> Iterator[dict[str, Any]]:
    """Every schema node (never a `properties` or `$defs` name map itself)."""
    if isinstance(schema, list):
        for item in schema:
            yield from nodes(item)
    elif isinstance(schema, dict):
        yield schema
        for key, value in schema.items():
            if key in ("properties", "$defs"):
                for child in value.values():
                    yield from nodes(child)
            else:
                yield from nodes(value)


def test_openai_strict_lists_every_property_as_required_and_closes_every_object() -> None:
    strict = openai_strict(Answer.model_json_schema())
    objects = [n for n in nodes(strict) if "properties" in n]
    assert len(objects) >= 5  # the answer, the edits, a file, three kinds of op
    for node in objects:
        assert node["required"] == list(node["properties"])
        assert node["additionalProperties"] is False
    for node in nodes(strict):
        assert not UNSUPPORTED & node.keys(), node


def test_an_optional_field_becomes_nullable_and_its_null_means_absent() -> None:
    strict = openai_strict(Answer.model_json_schema())
    edits = strict["properties"]["edits"]
    assert {"type": "null"} in edits["anyOf"]
    rationale = strict["$defs"]["ModelEditResponse"]["properties"]["rationale"]
    assert rationale["anyOf"].count({"type": "null"}) == 1  # already nullable: not doubled
    # What a strict model sends when it leaves every optional field out:
    answer = {
        "reply": "Done.",
        "edits": {
            "schema_version": 1,
            "summary": "Shout",
            "rationale": None,
            "files": [
                {
                    "path": "notes.md",
                    "action": "edit",
                    "expected_blob": None,
                    "ops": [
                        {
                            "op": "replace",
                            "search": "beta",
                            "replace": "BETA",
                            "occurrence": None,
                            "expect_count": None,
                            "allow_duplicates": None,
                        }
                    ],
                }
            ],
        },
    }
    parsed = Answer.model_validate(drop_nulls(answer))
    assert parsed.edits is not None and parsed.edits.files[0].ops[0].allow_duplicates is False
    assert Answer.model_validate(drop_nulls({"reply": "Nothing.", "edits": None})).edits is None


def test_gemini_gets_no_references_and_no_one_of() -> None:
    schema = gemini(Answer.model_json_schema())
    assert "$defs" not in schema
    for node in nodes(schema):
        assert "$ref" not in node and "oneOf" not in node and "discriminator" not in node
    ops = schema["properties"]["edits"]["anyOf"][0]["properties"]["files"]["items"]
    assert len(ops["properties"]["ops"]["items"]["anyOf"]) == 3
