"""Run many `gitbench put` commands through gitbench's own CLI entry point in one process.

Used only to build starting states (never timed): `python -m bench.seed MANIFEST`, where the
manifest is {"workbench": DIR, "puts": [[PATH, SOURCE_FILE], ...]}.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    manifest = json.loads(Path(args[0]).read_text())
    from gitbench.cli.main import main as gitbench_main

    for path, source in manifest["puts"]:
        _invoke(gitbench_main, ["-C", manifest["workbench"], "put", path, "--from", source])
    return 0


def _invoke(entry: Callable[[], None], args: list[str]) -> None:
    saved = sys.argv
    sys.argv = ["gitbench", *args, "--json"]
    try:
        entry()
    except SystemExit as done:
        if done.code not in (0, None):
            raise RuntimeError(f"gitbench {' '.join(args)} exited with {done.code}") from None
    finally:
        sys.argv = saved


if __name__ == "__main__":
    sys.exit(main())
