"""Workbench-like repositories built with the git CLI, with the shipped `hooks/` installed."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.support.gitcli import all_refs, git

HOOKS_DIR = Path(__file__).resolve().parents[2] / "hooks"
HOOK_NAMES = ("reference-transaction", "pre-commit", "pre-receive")
NOTES = "refs/notes/gitbench/failures"


def install_hooks(repo: Path) -> None:
    """Copy every shipped hook into the repository's hooks directory, executable."""
    hooks = repo / git("rev-parse", "--git-path", "hooks", cwd=repo)
    hooks.mkdir(parents=True, exist_ok=True)
    for name in HOOK_NAMES:
        shutil.copyfile(HOOKS_DIR / name, hooks / name)
        (hooks / name).chmod(0o755)


def make_workbench(path: Path, *, hooks: bool = True) -> Path:
    """main = c1-c2 with checkpoints at both, draft = c2-d1, two failure notes, main checked out."""
    git("init", "-q", "--template=", "-b", "main", str(path), cwd=path.parent)
    for name, text in (("c1", "one\n"), ("c2", "two\n")):
        (path / "notes.txt").write_text(text)
        git("add", "notes.txt", cwd=path)
        git("commit", "-q", "-m", name, cwd=path)
        git("tag", "-a", "-m", f"checkpoint {name}", f"checkpoint/{name}", cwd=path)
        git("notes", "--ref=gitbench/failures", "add", "-m", f"failure at {name}", cwd=path)
    git("switch", "-q", "-c", "draft", cwd=path)
    (path / "notes.txt").write_text("drafted\n")
    git("commit", "-q", "-a", "-m", "d1", cwd=path)
    git("switch", "-q", "main", cwd=path)
    if hooks:
        install_hooks(path)
    return path


def make_remote(bench: Path, path: Path) -> Path:
    """A bare mirror of `bench` with the hooks installed, added to `bench` as `origin`."""
    git("clone", "-q", "--template=", "--mirror", str(bench), str(path), cwd=bench)
    install_hooks(path)
    git("remote", "add", "origin", str(path), cwd=bench)
    return path


def state(repo: Path) -> dict[str, str]:
    """Every ref, what HEAD is, and main's reflog: what a refused command must leave alone."""
    snapshot = all_refs(repo)
    snapshot["HEAD"] = git("symbolic-ref", "-q", "HEAD", cwd=repo, check=False) or git(
        "rev-parse", "HEAD", cwd=repo
    )
    snapshot["reflog main"] = git("reflog", "show", "--format=%H %gs", "main", cwd=repo)
    return snapshot


def changed(before: dict[str, str], after: dict[str, str]) -> set[str]:
    """Names whose value differs between two `state` snapshots (created and deleted included)."""
    return {name for name in before.keys() | after.keys() if before.get(name) != after.get(name)}


def refusals(stderr: str) -> list[str]:
    """The hook sentences in git's stderr (a push prefixes them with `remote: `)."""
    return [line for line in stderr.splitlines() if "gitbench: refusing" in line]
