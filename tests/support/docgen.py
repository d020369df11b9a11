"""Reference text generated from the code, so the docs cannot drift from it."""

from __future__ import annotations

import inspect
import re

from gitbench.config import all_settings
from gitbench.services import models


def result_models_markdown() -> str:
    sections = []
    for name, cls in inspect.getmembers(models, inspect.isclass):
        if not issubclass(cls, models.Result) or cls is models.Result:
            continue
        fields = ", ".join(
            f"`{field}` ({_type(info.annotation)})" for field, info in cls.model_fields.items()
        )
        sections.append(f"### {name}\n\n{fields}\n")
    return "\n".join(sections)


def settings_markdown() -> str:
    rows = [
        "| key | type | default | git config key | meaning |",
        "| --- | --- | --- | --- | --- |",
    ]
    for spec in all_settings().values():
        default = str(spec.default).lower() if spec.type == "bool" else str(spec.default)
        rows.append(
            f"| `{spec.key}` | {spec.type} | `{default}` | `{spec.git_key}` | {spec.help} |"
        )
    return "\n".join(rows) + "\n"


def _type(annotation: object) -> str:
    text = str(annotation)
    text = re.sub(r"<class '(?:[\w.]+\.)?(\w+)'>", r"\1", text)
    return text.replace("typing.", "").replace("gitbench.services.models.", "")


def replace_between(text: str, marker: str, body: str) -> str:
    start, end = f"<!-- {marker}:start -->\n", f"<!-- {marker}:end -->"
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{start}{body}{end}{tail}"
