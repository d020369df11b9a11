"""The egress log: one JSON line per request decision in `.git/gitbench/egress.jsonl`.

Only facts about the request travel here (who, where, how many bytes, what happened);
never the URL path or query (Google-style APIs put the key there), headers, bodies or prompts.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

EGRESS_LOG = "egress.jsonl"
Outcome = Literal["allowed", "blocked", "failed"]


@dataclass(frozen=True)
class EgressEvent:
    time: str
    provider: str
    model: str
    host: str
    port: int
    scope_hash: str
    outcome: Outcome
    reason: str | None = None
    status: int | None = None
    bytes_sent: int = 0
    bytes_received: int = 0
    tokens: int | None = None


def log_path(state_dir: Path) -> Path:
    return state_dir / EGRESS_LOG


def append(path: Path, event: EgressEvent) -> None:
    """Add one line; a single short `write` in append mode keeps concurrent writers' lines whole."""
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(asdict(event), sort_keys=True) + "\n"
    with path.open("a", encoding="utf-8") as handle:
        handle.write(line)


def read(path: Path) -> list[EgressEvent]:
    """Every recorded decision, oldest first; a torn last line (a crash mid-write) is skipped."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    events = []
    for line in lines:
        try:
            events.append(EgressEvent(**json.loads(line)))
        except (ValueError, TypeError):
            continue
    return events
