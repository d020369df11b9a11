"""Workbenches built with the git CLI, so tests do not depend on gitbench's own init code."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from tests.support.gitcli import git

Files = Mapping[str, bytes | str | None]


def make_bench(
    root: Path, files: Files | None = None, draft: Files | None = None, *, hooks: bool = False
) -> Path:
    """A workbench at `root`: main holds `files`; with `draft`, a draft branch on top of main
    whose one commit sets (or, for None, deletes) those files."""
    root.mkdir(parents=True, exist_ok=True)
    git("init", "-q", "-b", "main", cwd=root)
    git("config", "gitbench.version", "1", cwd=root)
    write_files(root, files or {})
    git("add", "-A", cwd=root)
    git("commit", "-q", "--allow-empty", "-m", "Create workbench", cwd=root)
    if draft is not None:
        commit_on_branch(root, "draft", draft, "Draft changes")
    if hooks:
        install_hooks(root)
    return root


def commit_on_branch(root: Path, branch: str, files: Files, message: str) -> str:
    """Commit `files` on `branch` (created from main when missing) without touching the
    working tree of the checked-out branch: plumbing, the way a careful tool would."""
    parent = git("rev-parse", "--verify", "-q", branch, cwd=root, check=False) or git(
        "rev-parse", "main", cwd=root
    )
    index = root / ".git" / "test-index"
    env_index = {"GIT_INDEX_FILE": str(index)}
    _git_env(root, env_index, "read-tree", parent)
    for path, content in files.items():
        if content is None:
            _git_env(root, env_index, "rm", "-q", "--cached", path)
            continue
        data = content.encode() if isinstance(content, str) else content
        blob = git("hash-object", "-w", "--stdin", cwd=root, input=data)
        _git_env(root, env_index, "update-index", "--add", "--cacheinfo", f"100644,{blob},{path}")
    tree = _git_env(root, env_index, "write-tree")
    commit = git("commit-tree", tree, "-p", parent, "-m", message, cwd=root)
    git("update-ref", f"refs/heads/{branch}", commit, cwd=root)
    index.unlink()
    return commit


def write_files(root: Path, files: Files) -> None:
    for path, content in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if content is None:
            target.unlink()
        else:
            target.write_bytes(content.encode() if isinstance(content, str) else content)


def install_hooks(root: Path) -> None:
    hooks_src = Path(__file__).resolve().parents[2] / "hooks"
    target = Path(git("rev-parse", "--git-path", "hooks", cwd=root))
    target = target if target.is_absolute() else root / target
    target.mkdir(parents=True, exist_ok=True)
    for hook in hooks_src.iterdir():
        if hook.is_file() and "." not in hook.name:
            (target / hook.name).write_bytes(hook.read_bytes())
            (target / hook.name).chmod(0o755)


def _git_env(root: Path, env: dict[str, str], *args: str) -> str:
    import os
    import subprocess

    done = subprocess.run(
        ["git", *args],
        cwd=root,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()
