"""Killing real gitbench processes, and fingerprints of workbench state to compare after."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.support.gitcli import git

# A checkpoint or discarded-draft name: its time, and its -n suffix within that second.
_STAMP = re.compile(r"\d{8}T\d{6}Z(-[a-z_]+)?(?:-\d+)?$")


@dataclass(frozen=True)
class Outcome:
    returncode: int
    stdout: str
    stderr: str

    @property
    def killed(self) -> bool:
        return self.returncode == -9


def gitbench(
    root: Path,
    *args: str,
    env: dict[str, str] | None = None,
    stdin: bytes = b"",
    kill_after: float | None = None,
) -> Outcome:
    """Run `python -m gitbench ARGS` in `root` as a separate process (the way people do)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "gitbench", *args],
        cwd=root,
        env={**os.environ, **(env or {})},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    if kill_after is not None:
        try:
            out, err = proc.communicate(stdin, timeout=kill_after)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
    else:
        out, err = proc.communicate(stdin, timeout=120)
    return Outcome(proc.returncode, out.decode(errors="replace"), err.decode(errors="replace"))


def fingerprint(root: Path) -> tuple[object, ...]:
    """What a person can observe: refs (by the trees they hold, timestamps in names folded,
    so a rerun of the same operation matches), where HEAD points, and the working-tree files."""
    refs = []
    for line in git("for-each-ref", "--format=%(refname)", cwd=root).splitlines():
        if line == "refs/gitbench/conversation":
            continue  # a log appended after the operation; its last entry may miss a crash
        tree = git("rev-parse", f"{line}^{{tree}}", cwd=root)
        refs.append((_STAMP.sub(r"TS\1", line), tree))
    head = git("symbolic-ref", "-q", "HEAD", cwd=root, check=False)
    return (tuple(sorted(refs)), head, tuple(sorted(_files(root).items())))


def _files(root: Path) -> dict[str, bytes]:
    found = {}
    for path in root.rglob("*"):
        rel = path.relative_to(root)
        if rel.parts[0] == ".git" or not path.is_file():
            continue
        found[rel.as_posix()] = path.read_bytes()
    return found
