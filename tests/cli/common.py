"""Helpers shared by the CLI tests: state snapshots and the one way a refusal is checked.

A refusal must change nothing a person can see, so the snapshot covers every ref, what HEAD
points at, the index and every file of the given directories (bytes for regular files, the
kind for anything else: a FIFO is never opened).
"""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path
from typing import Any

from gitbench.clock import Clock
from gitbench.errors import ErrorCode
from tests.support.cli import Run, run
from tests.support.gitcli import all_refs, git

Snapshot = dict[str, Any]


def files_of(directory: Path) -> dict[str, bytes | str]:
    """Every entry under `directory` except `.git`: bytes of files, the kind of the rest."""
    found: dict[str, bytes | str] = {}
    if not directory.exists():
        return found
    for dirpath, dirnames, filenames in os.walk(directory):
        here = Path(dirpath)
        if here == directory and ".git" in dirnames:
            dirnames.remove(".git")
        for name in list(dirnames):
            path = here / name
            if path.is_symlink():  # os.walk lists a link to a directory among the directories
                dirnames.remove(name)
                found[path.relative_to(directory).as_posix()] = f"symlink -> {path.readlink()}"
            else:
                found[path.relative_to(directory).as_posix() + "/"] = "dir"
        for name in filenames:
            path = here / name
            mode = path.lstat().st_mode
            key = path.relative_to(directory).as_posix()
            if stat.S_ISREG(mode):
                found[key] = path.read_bytes()
            elif stat.S_ISLNK(mode):
                found[key] = f"symlink -> {path.readlink()}"
            else:
                found[key] = f"special {stat.S_IFMT(mode):o}"
    return found


def snapshot(root: Path, *others: Path) -> Snapshot:
    """Refs, HEAD, index and working tree of the workbench at `root`, plus the files of `others`."""
    state: Snapshot = {
        "refs": all_refs(root),
        "HEAD": git("symbolic-ref", "-q", "HEAD", cwd=root, check=False),
        "index": git("ls-files", "-s", cwd=root),
        "files": files_of(root),
    }
    for other in others:
        state[str(other)] = files_of(other)
    return state


def refused(
    root: Path,
    *args: str,
    code: ErrorCode,
    phase: str,
    cwd: Path | None = None,
    also: tuple[Path, ...] = (),
    input: bytes | str | None = None,
    clock: Clock | None = None,
) -> dict[str, Any]:
    """Run `gitbench --json ARGS` and check it is refused with `code` in `phase`, with the
    stable exit status, and that nothing in the workbench (nor in `also`) changed.
    Returns the error document."""
    before = snapshot(root, *also)
    result = run(cwd or root, "--json", *args, input=input, clock=clock)
    error = error_document(result)
    assert (error["code"], error["phase"]) == (code.value, phase), error
    assert result.exit_code == int(code.exit_status), (result.exit_code, error)
    assert error["exit_status"] == result.exit_code
    assert snapshot(root, *also) == before
    return error


def refused_human(
    root: Path, *args: str, code: ErrorCode, phase: str, input: bytes | str | None = None
) -> Run:
    """Like `refused`, without --json: stdout stays empty, stderr names the code and phase."""
    before = snapshot(root)
    result = run(root, *args, input=input)
    assert result.exit_code == int(code.exit_status), (result.exit_code, result.stderr)
    assert result.stdout == ""
    assert f"{code.value}:" in result.stderr
    assert f"phase: {phase}" in result.stderr
    assert snapshot(root) == before
    return result


def refused_outside(directory: Path, *args: str, code: ErrorCode, phase: str) -> dict[str, Any]:
    """A refusal in a directory that is not a workbench: no file under it may change."""
    before = files_of(directory)
    result = run(directory, "--json", *args)
    error = error_document(result)
    assert (error["code"], error["phase"]) == (code.value, phase), error
    assert result.exit_code == int(code.exit_status) == error["exit_status"]
    assert files_of(directory) == before
    return error


def error_document(result: Run) -> dict[str, Any]:
    document = result.json()
    assert document["ok"] is False, document
    assert set(document) == {"ok", "error"}
    error: dict[str, Any] = document["error"]
    return error


def ok(root: Path, *args: str, input: bytes | str | None = None, clock: Clock | None = None) -> Any:
    """Run `gitbench --json ARGS` in `root`, check it succeeded, and return its `result`."""
    result = run(root, "--json", *args, input=input, clock=clock)
    assert result.exit_code == 0, (result.exit_code, result.stdout, result.stderr)
    document = result.json()
    assert document["ok"] is True, document
    return document["result"]


def actions(error: dict[str, Any]) -> list[str]:
    return [a["action"] for a in error["actions"]]


def tree_paths(root: Path, rev: str) -> list[str]:
    """The files of `rev`, by the git binary."""
    out = git("ls-tree", "-r", "--name-only", rev, cwd=root)
    return out.splitlines() if out else []


def show_blob(root: Path, rev: str, path: str) -> bytes:

    done = subprocess.run(
        ["git", "cat-file", "blob", f"{rev}:{path}"], cwd=root, capture_output=True, check=True
    )
    return done.stdout


def is_ancestor(root: Path, old: str, new: str) -> bool:

    done = subprocess.run(["git", "merge-base", "--is-ancestor", old, new], cwd=root, check=False)
    return done.returncode == 0


def porcelain(root: Path) -> str:
    return git("status", "--porcelain", "--untracked-files=all", cwd=root)
