"""The edit pipeline's JSONL event log, `<git-dir>/gitbench/telemetry.jsonl` (never tracked).

Local only: nothing here is ever sent anywhere.
"""

from __future__ import annotations

import json
from typing import Any

from gitbench.clock import iso
from gitbench.store.objects import storage_error
from gitbench.store.repo import Workbench

TELEMETRY_NAME = "telemetry.jsonl"
SCHEMA = 1


def emit(wb: Workbench, event: str, **fields: Any) -> None:
    """Append one event line; a line is written whole by one `write` (O_APPEND)."""
    record = {"ts": iso(wb.clock.now()), "event": event, "schema": SCHEMA, **fields}
    line = json.dumps(record, separators=(",", ":"), ensure_ascii=False) + "\n"
    try:
        wb.state_dir.mkdir(parents=True, exist_ok=True)
        with (wb.state_dir / TELEMETRY_NAME).open("a", encoding="utf-8") as handle:
            handle.write(line)
    except OSError as exc:
        raise storage_error(exc, "telemetry") from exc


def read_events(wb: Workbench) -> list[dict[str, Any]]:
    try:
        text = (wb.state_dir / TELEMETRY_NAME).read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    return [json.loads(line) for line in text.splitlines() if line.strip()]
