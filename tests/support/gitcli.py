"""The `git` binary as an independent oracle: fixtures set state up with it, tests verify with it."""

from __future__ import annotations

import subprocess
from pathlib import Path


def git(*args: str, cwd: Path, input: bytes | None = None, check: bool = True) -> str:
    """Run git in `cwd` and return its stdout with the trailing newline removed."""
    done = subprocess.run(["git", *args], cwd=cwd, input=input, capture_output=True, check=False)
    if check and done.returncode != 0:
        raise AssertionError(
            f"git {' '.join(args)} failed ({done.returncode}):\n{done.stderr.decode(errors='replace')}"
        )
    return done.stdout.decode(errors="replace").rstrip("\n")


def git_run(*args: str, cwd: Path, input: bytes | None = None) -> subprocess.CompletedProcess[str]:
    """Run git and return the completed process, for tests that expect git to fail."""
    return subprocess.run(
        ["git", *args],
        cwd=cwd,
        input=input.decode() if input else None,
        capture_output=True,
        text=True,
        check=False,
    )


def rev(cwd: Path, name: str) -> str | None:
    """The object id `name` resolves to, or None when it does not exist."""
    done = subprocess.run(
        ["git", "rev-parse", "--verify", "--quiet", name],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip() or None


def all_refs(cwd: Path) -> dict[str, str]:
    """Every ref of the repository with its target: a snapshot to prove 'nothing changed'."""
    out = git("for-each-ref", "--format=%(refname) %(objectname)", cwd=cwd)
    refs: dict[str, str] = {}
    for line in out.splitlines():
        name, target = line.split(" ", 1)
        refs[name] = target
    return refs
