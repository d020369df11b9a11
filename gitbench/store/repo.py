"""Opening and creating the git repository behind a workbench."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pygit2

from gitbench.clock import Clock
from gitbench.config import Environment
from gitbench.errors import ErrorCode, GitbenchError
from gitbench.store.types import MAIN

# Marks a repository as a workbench; its value is the layout version.
WORKBENCH_KEY = "gitbench.version"
LAYOUT_VERSION = "1"

DEFAULT_NAME = "gitbench"
DEFAULT_EMAIL = "gitbench@localhost"


@dataclass(frozen=True)
class Identity:
    name: str
    email: str


@dataclass
class Workbench:
    """An open workbench. Services receive it and pass it back to the store; only the store
    looks inside `repo`."""

    root: Path
    git_dir: Path
    repo: pygit2.Repository
    identity: Identity
    clock: Clock
    fault_at: str | None = None
    boundaries_passed: dict[str, int] = field(default_factory=dict)
    # What opening the workbench repaired (an interrupted operation, stale locks), for people.
    recovered: list[str] = field(default_factory=list)

    @property
    def state_dir(self) -> Path:
        """gitbench's own files (lock, journal, telemetry), inside .git so never tracked."""
        return self.git_dir / "gitbench"


def discover_root(start: Path) -> Path | None:
    """The working-tree root of the repository containing `start`, if any."""
    found = pygit2.discover_repository(str(start))
    if found is None:
        return None
    repo = pygit2.Repository(found)
    return Path(repo.workdir).resolve() if repo.workdir else None


def open_workbench(start: Path, clock: Clock, env: Environment) -> Workbench:
    """Open the workbench containing `start`; NOT_A_WORKBENCH when there is none."""
    found = pygit2.discover_repository(str(start))
    if found is None:
        raise _not_a_workbench(start, "no git repository here")
    repo = pygit2.Repository(found)
    if repo.is_bare or repo.workdir is None:
        raise _not_a_workbench(start, "the repository is bare")
    if WORKBENCH_KEY not in repo.config:
        raise _not_a_workbench(start, "this git repository is not a gitbench workbench")
    return _workbench(repo, clock, env)


def create_repository(root: Path, clock: Clock, env: Environment) -> Workbench:
    """A new non-bare repository at `root` whose HEAD points at main (unborn)."""
    repo = pygit2.init_repository(str(root), bare=False, initial_head="main")
    return _workbench(repo, clock, env)


def adopt_repository(root: Path, clock: Clock, env: Environment) -> Workbench:
    """An existing repository at `root` whose main branch exists."""
    try:
        repo = pygit2.Repository(str(root))
    except pygit2.GitError as exc:
        raise _not_a_workbench(root, "no git repository here") from exc
    if repo.is_bare or repo.workdir is None:
        raise _not_a_workbench(root, "the repository is bare")
    if repo.references.get(MAIN) is None:
        raise GitbenchError(
            ErrorCode.NOT_FOUND,
            "the repository has no 'main' branch to publish from",
            phase="init",
            detail={"path": str(root)},
        )
    return _workbench(repo, clock, env)


def is_repository_root(path: Path) -> bool:
    """True when `path` is itself the top of a git repository (not merely inside one)."""
    return discover_root(path) == path.resolve()


def mark_workbench(wb: Workbench) -> None:
    wb.repo.config[WORKBENCH_KEY] = LAYOUT_VERSION


def _workbench(repo: pygit2.Repository, clock: Clock, env: Environment) -> Workbench:
    # libgit2 re-hashes every object it reads; git does not (fsck is the integrity check),
    # and on a 200 MB diff the re-hashing is a sixth of the time (bench/: docs/performance.md).
    pygit2.settings.enable_strict_hash_verification(False)
    git_dir = Path(repo.path).resolve()
    root = Path(repo.workdir).resolve()
    return Workbench(
        root=root,
        git_dir=git_dir,
        repo=repo,
        identity=_identity(repo, env),
        clock=clock,
        fault_at=env.fault_at,
    )


def _identity(repo: pygit2.Repository, env: Environment) -> Identity:
    # libgit2 does not read GIT_AUTHOR_* by itself (design.md section 7).
    config = repo.config
    name = _config_str(config, "user.name") or env.author_name or env.committer_name
    email = _config_str(config, "user.email") or env.author_email or env.committer_email
    return Identity(name=name or DEFAULT_NAME, email=email or DEFAULT_EMAIL)


def _config_str(config: pygit2.Config, key: str) -> str | None:
    try:
        value = config[key]
    except KeyError:
        return None
    return str(value) or None


def _not_a_workbench(path: Path, why: str) -> GitbenchError:
    return GitbenchError(
        ErrorCode.NOT_A_WORKBENCH,
        f"{path} is not a workbench: {why}",
        phase="open",
        detail={"path": str(path)},
    )
