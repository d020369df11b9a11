"""The answer's JSON schema in each provider's dialect.

pydantic writes full JSON Schema; the APIs that decode under a schema accept subsets:
- OpenAI strict mode wants every property listed in `required` (an optional one is made
  nullable instead), `additionalProperties: false` on every object, `anyOf` rather than
  `oneOf`, and none of `default`, `title`, `discriminator`, `minLength`, `maxLength`.
- Gemini's `responseJsonSchema` (and a function's `parametersJsonSchema`) takes JSON Schema but
  is safest without references: they are inlined, `oneOf` becomes `anyOf`, and the keywords
  above go too.
The limits those keywords expressed are still checked: the pipeline validates every answer
with the full pydantic model, so a model that oversteps them gets a precise rejection.
"""

from __future__ import annotations

from typing import Any

_UNSUPPORTED = frozenset({"default", "title", "discriminator", "minLength", "maxLength"})
_MAPS = frozenset({"properties", "$defs"})  # their keys are names, not keywords


def openai_strict(schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` as OpenAI's strict structured outputs accept it."""
    result = _subset(schema)
    assert isinstance(result, dict)
    return result


def gemini(schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` with its `$ref`s inlined, in the subset Gemini accepts."""
    definitions = schema.get("$defs", {})
    inlined = _inline({k: v for k, v in schema.items() if k != "$defs"}, definitions)
    result = _subset(inlined, strict=False)
    assert isinstance(result, dict)
    return result


def drop_nulls(value: Any) -> Any:
    """An answer under a strict schema spells every absent optional field as null; absent is
    what the pipeline's models mean, so nulls are dropped."""
    if isinstance(value, dict):
        return {k: drop_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [drop_nulls(v) for v in value]
    return value


def _subset(node: Any, *, strict: bool = True) -> Any:
    if isinstance(node, list):
        return [_subset(n, strict=strict) for n in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _UNSUPPORTED:
            continue
        if key in _MAPS:
            out[key] = {name: _subset(v, strict=strict) for name, v in value.items()}
        elif key == "const":
            out["enum"] = [value]
        else:
            out["anyOf" if key == "oneOf" else key] = _subset(value, strict=strict)
    if strict and "properties" in out:
        required = set(node.get("required", ()))
        out["properties"] = {
            name: prop if name in required else _nullable(prop)
            for name, prop in out["properties"].items()
        }
        out["required"] = list(out["properties"])
        out["additionalProperties"] = False
    return out


def _nullable(prop: dict[str, Any]) -> dict[str, Any]:
    if {"type": "null"} in prop.get("anyOf", ()):
        return prop
    return {"anyOf": [prop, {"type": "null"}]}


def _inline(node: Any, definitions: dict[str, Any]) -> Any:
    if isinstance(node, list):
        return [_inline(n, definitions) for n in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        # The edit schema has no recursive definitions; a reference is replaced by its body.
        return _inline(definitions[ref.removeprefix("#/$defs/")], definitions)
    return {k: _inline(v, definitions) for k, v in node.items()}
