"""Hermetic by default: every test gets its own HOME, git config, fixed dates and plain output."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from gitbench.clock import FixedClock
from gitbench.services.session import open_bench
from gitbench.store.repo import Workbench
from tests.support.benches import make_bench

if shutil.which("git") is None:  # pragma: no cover - the suite cannot say anything without git
    raise RuntimeError("the tests need the `git` binary on PATH")

FIXED_DATE = "2026-01-02T03:04:05+00:00"


@pytest.fixture(scope="session", autouse=True)
def _libgit2_ignores_machine_config() -> Iterator[None]:
    import pygit2
    from pygit2.enums import ConfigLevel

    levels = (ConfigLevel.GLOBAL, ConfigLevel.XDG, ConfigLevel.SYSTEM)
    saved = {level: pygit2.settings.search_path[level] for level in levels}
    for level in levels:
        pygit2.settings.search_path[level] = ""
    yield
    for level, value in saved.items():
        pygit2.settings.search_path[level] = value


@pytest.fixture(autouse=True)
def hermetic_seal(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path_factory.mktemp("home")
    gitconfig = home / ".gitconfig"
    gitconfig.write_text("[user]\n\tname = Test Person\n\temail = test@example.com\n")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(gitconfig))
    monkeypatch.setenv("GIT_AUTHOR_DATE", FIXED_DATE)
    monkeypatch.setenv("GIT_COMMITTER_DATE", FIXED_DATE)
    monkeypatch.setenv("GIT_EDITOR", "false")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.setenv("GITBENCH_DEBUG", "1")
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GITBENCH_ALLOW_DIRECT"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def work_dir(tmp_path: Path) -> Path:
    """A directory outside any workbench, for source files to add."""
    path = tmp_path / "outside"
    path.mkdir()
    return path


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))


@pytest.fixture
def bench_path(tmp_path: Path) -> Path:
    """A workbench (made with git) holding two text files and a binary one, no draft."""
    return make_bench(
        tmp_path / "bench",
        {"notes.md": "alpha\nbeta\n", "docs/guide.md": "# Guide\n", "data.bin": b"\x00\x01\x02"},
    )


@pytest.fixture
def wb(bench_path: Path, clock: FixedClock) -> Workbench:
    return open_bench(bench_path, clock=clock)
