"""Caches of facts derived from immutable objects (a blob's kind, a tree's weight), kept as
JSON in the git directory. Losing one costs only time: it is rebuilt from the objects."""

from __future__ import annotations

import json
import os
from typing import Any

from gitbench.store.repo import Workbench


def load_cache(wb: Workbench, name: str) -> dict[str, Any]:
    """The cache `name`, or an empty one when it is missing or unreadable."""
    try:
        raw = json.loads((wb.state_dir / name).read_text())
    except (FileNotFoundError, ValueError):
        return {}
    return raw if isinstance(raw, dict) else {}


def save_cache(wb: Workbench, name: str, cache: dict[str, Any]) -> None:
    # Write-then-rename: a crash leaves the old cache or the new one, never half of one.
    wb.state_dir.mkdir(parents=True, exist_ok=True)
    tmp = wb.state_dir / f"{name}.{os.getpid()}.tmp"
    tmp.write_text(json.dumps(cache, separators=(",", ":")))
    tmp.replace(wb.state_dir / name)
