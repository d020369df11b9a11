"""The machine and the versions the figures come from."""

from __future__ import annotations

import json
import os
import platform
from pathlib import Path
from typing import Any

from bench.proc import CommandFailed, Tools, run
from bench.states import REPO_ROOT

_VERSIONS = (
    "import json, pygit2, gitbench; print(json.dumps({'pygit2': pygit2.__version__, "
    "'libgit2': pygit2.LIBGIT2_VERSION, 'gitbench': gitbench.__version__}))"
)


def host_info(tools: Tools) -> dict[str, Any]:
    info: dict[str, Any] = {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "memory_gib": round(_meminfo_kib("MemTotal") / 1024 / 1024, 1),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "git": run(("git", "--version"), REPO_ROOT, tools).strip().removeprefix("git version "),
        "gitbench_commit": _gitbench_commit(tools),
        "load_average": load_average(),
    }
    info.update(json.loads(run(tools.python_c(_VERSIONS), REPO_ROOT, tools)))
    return info


def cpu_model() -> str:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return platform.processor() or "unknown"
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() in ("model name", "Hardware", "cpu model"):
            return value.strip()
    return platform.processor() or "unknown"


def _meminfo_kib(key: str) -> int:
    try:
        text = Path("/proc/meminfo").read_text()
    except OSError:
        return 0
    for line in text.splitlines():
        name, _, value = line.partition(":")
        if name == key:
            return int(value.split()[0])
    return 0


def load_average() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


def _gitbench_commit(tools: Tools) -> str:
    """HEAD of the checkout being measured, with `+dirty` when its files differ from HEAD."""
    try:
        head = run(("git", "rev-parse", "--short=12", "HEAD"), REPO_ROOT, tools).strip()
        dirty = run(("git", "status", "--porcelain", "--", "gitbench"), REPO_ROOT, tools).strip()
    except CommandFailed:
        return "unknown"
    return head + ("+dirty" if dirty else "")
