"""Starting states: the same files and history, once as a gitbench workbench (built with the
gitbench CLI) and once as a plain git repository (built with git).

An operation that changes state runs in place and is put back between runs, outside the timed
region: refs are reset to a snapshot (`Snapshot`), or the `.git` of an `add` is replaced by a
fresh one. Copying W-large's 20,000 files for every run would take longer than the runs.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from bench.proc import Tools, git, run

REPO_ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Pair:
    """The gitbench side and the plain-git side of one state."""

    gitbench: Path
    git: Path


class Workspace:
    """Every directory of one benchmark run, under one temporary root."""

    def __init__(self, root: Path, tools: Tools) -> None:
        self.root = root
        self.tools = tools
        self._serial = 0

    def path(self, name: str) -> Path:
        self._serial += 1
        return self.root / f"{self._serial:04d}-{name}"

    def copy(self, template: Path, name: str) -> Path:
        """A fresh copy of `template`, with its index refreshed so that neither tool pays for
        re-hashing files whose inode and ctime changed with the copy."""
        dest = self.path(name)
        run(("cp", "-a", str(template), str(dest)), self.root, self.tools)
        refresh_index(dest, self.tools)
        return dest

    def discard(self, *paths: Path) -> None:
        for path in paths:
            shutil.rmtree(path, ignore_errors=True)


def refresh_index(repo: Path, tools: Tools) -> None:
    if (repo / ".git" / "index").exists():
        git(repo, tools, "update-index", "-q", "--refresh")


def populate(dest: Path, source: Path, tools: Tools) -> None:
    """Copy the files under `source` into the working tree at `dest`."""
    run(("cp", "-a", f"{source}/.", str(dest)), dest, tools)


def empty_states(ws: Workspace, *, max_files: int, max_file_bytes: int) -> Pair:
    """A new workbench (gitbench init, limits raised to fit the workloads) and a new repository."""
    tools = ws.tools
    bench = ws.path("empty-gitbench")
    run(tools.gitbench("init", str(bench), "--json"), ws.root, tools)
    for key, value in (("limits.max_files", max_files), ("limits.max_file_bytes", max_file_bytes)):
        run(tools.gitbench("config", "set", key, str(value), "--json"), bench, tools)
    plain = ws.path("empty-git")
    git(ws.root, tools, "init", "-q", "-b", "main", str(plain))
    return Pair(bench, plain)


def make_draft(ws: Workspace, published: Pair, changes: Mapping[str, Path]) -> Pair:
    """Add a draft holding `changes` to the published state, in place: one `gitbench put` per
    file on the gitbench side, one commit on `draft` on the plain-git side."""
    bench, plain = published.gitbench, published.git
    put_many(ws, bench, changes)
    git(plain, ws.tools, "switch", "-q", "-c", "draft")
    for rel, source in changes.items():
        target = plain / rel
        target.unlink(missing_ok=True)  # never write through a hard link to a workload file
        shutil.copyfile(source, target)
    git(plain, ws.tools, "commit", "-q", "-a", "-m", "Draft changes")
    git(plain, ws.tools, "switch", "-q", "main")
    return published


def put_many(ws: Workspace, bench: Path, changes: Mapping[str, Path]) -> None:
    """`gitbench put PATH --from FILE` for every change, through the CLI in one process
    (bench/seed.py): 100 separate processes would spend most of a minute starting Python."""
    manifest = ws.path("puts.json")
    puts = [[rel, str(source)] for rel, source in changes.items()]
    manifest.write_text(json.dumps({"workbench": str(bench), "puts": puts}))
    run((ws.tools.python, "-m", "bench.seed", str(manifest)), REPO_ROOT, ws.tools)
    manifest.unlink()


def publish_checkpoint(bench: Path, tools: Tools) -> str:
    """The id of the newest `publish` checkpoint of the workbench."""
    listing = json.loads(run(tools.gitbench("checkpoint", "list", "--json"), bench, tools))
    ids = [c["id"] for c in listing["result"]["checkpoints"] if c["reason"] == "publish"]
    if not ids:
        raise RuntimeError(f"{bench} has no publish checkpoint")
    return str(ids[-1])


def tree_of(repo: Path, rev: str, tools: Tools) -> str:
    return git(repo, tools, "rev-parse", f"{rev}^{{tree}}")


def require_same_tree(pair: Pair, rev: str, tools: Tools) -> str:
    """Both sides must hold exactly the same files at `rev`: same bytes give the same tree id,
    so the two commands did the same work."""
    ours, theirs = tree_of(pair.gitbench, rev, tools), tree_of(pair.git, rev, tools)
    if ours != theirs:
        raise RuntimeError(f"{rev} differs: gitbench {ours} vs git {theirs} ({pair})")
    return ours


def link_file(source: Path, dest: Path) -> None:
    """Hard-link a big workload file into a working tree (no 1 GB copy per run); a
    `FileGuard` checks after each run that neither tool wrote through the link."""
    os.link(source, dest)


def unshare(path: Path) -> None:
    """Give `path` an inode of its own, so that the state can change it safely."""
    tmp = path.with_name(path.name + ".unshare")
    shutil.copyfile(path, tmp)
    tmp.replace(path)


def direct(tools: Tools) -> Tools:
    """Tools for putting a workbench back with plain git: its hooks refuse to move main unless
    told that this is deliberate (docs/hooks.md)."""
    return replace(tools, env={**tools.env, "GITBENCH_ALLOW_DIRECT": "1"})


@dataclass(frozen=True)
class Snapshot:
    """Every ref of a repository and where HEAD points, to put back after a run."""

    repo: Path
    refs: Mapping[str, str]
    head: str

    @classmethod
    def take(cls, repo: Path, tools: Tools) -> Snapshot:
        head = git(repo, tools, "symbolic-ref", "HEAD")
        return cls(repo, _refs(repo, tools), head)

    def restore(self, tools: Tools) -> None:
        """Refs back to the snapshot, then index and working tree back to HEAD (`reset --hard`
        rewrites only the files that differ)."""
        tools = direct(tools)
        now = _refs(self.repo, tools)
        lines = [f"delete {ref} {oid}" for ref, oid in now.items() if ref not in self.refs]
        lines += [f"update {ref} {oid}" for ref, oid in self.refs.items() if now.get(ref) != oid]
        if lines:
            stdin = ("\n".join(lines) + "\n").encode()
            run(("git", "update-ref", "--stdin"), self.repo, tools, stdin=stdin)
        git(self.repo, tools, "symbolic-ref", "HEAD", self.head)
        git(self.repo, tools, "reset", "-q", "--hard")
        left = git(self.repo, tools, "status", "--porcelain")
        if left:
            raise RuntimeError(f"{self.repo} is not back to its snapshot:\n{left}")


def _refs(repo: Path, tools: Tools) -> dict[str, str]:
    listing = git(repo, tools, "for-each-ref", "--format=%(objectname) %(refname)")
    pairs = (line.split(" ", 1) for line in listing.splitlines())
    return {ref: oid for oid, ref in pairs}


def fresh_git_dir(repo: Path, template: Path) -> None:
    """Replace the repository of `repo` by the (empty) one of `template`, keeping the files."""
    shutil.rmtree(repo / ".git")
    shutil.copytree(template / ".git", repo / ".git", symlinks=True)


@dataclass(frozen=True)
class FileGuard:
    """Size and mtime of a workload file, checked after every run that links it."""

    path: Path
    size: int
    mtime_ns: int

    @classmethod
    def of(cls, path: Path) -> FileGuard:
        info = path.stat()
        return cls(path, info.st_size, info.st_mtime_ns)

    def check(self) -> None:
        info = self.path.stat()
        if (info.st_size, info.st_mtime_ns) != (self.size, self.mtime_ns):
            raise RuntimeError(f"{self.path} was written through a hard link during a run")
