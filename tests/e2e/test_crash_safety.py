"""Kill a real gitbench process (SIGKILL) at every step boundary of every operation, and at
random moments; the next command must see exactly the old state or the new one (issue: crash
safety). Each scenario's 'new' state comes from an uninterrupted run of the same command."""

from __future__ import annotations

import random
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from gitbench.store.faults import BOUNDARIES
from tests.support.benches import commit_on_branch, make_bench
from tests.support.cli import run
from tests.support.crash import Outcome, fingerprint, gitbench
from tests.support.gitcli import git

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

RANDOM_KILLS_PER_SCENARIO = 18
EXTRA_TRIES = 10
FILES = {"notes.md": "alpha\nbeta\n", "docs/guide.md": "# Guide\n", "data.bin": b"\x00\x01"}


@dataclass(frozen=True)
class Scenario:
    name: str
    prepare: Callable[[Path], None]
    args: tuple[str, ...]
    stdin: bytes = b""


def _draft(root: Path) -> None:
    commit_on_branch(
        root, "draft", {"notes.md": "alpha\nBETA\n", "new.md": "n\n", "data.bin": None}, "d"
    )


def _on_draft(root: Path) -> None:
    _draft(root)
    git("checkout", "-q", "draft", cwd=root)


def _discarded(root: Path) -> None:
    _draft(root)
    assert run(root, "discard", "--yes").exit_code == 0


def _checkpointed(root: Path) -> None:
    assert run(root, "checkpoint", "create", "-m", "before").exit_code == 0
    commit = commit_on_branch(root, "main", {"notes.md": "changed\n"}, "later")
    git("reset", "-q", "--hard", commit, cwd=root)


def _retention(root: Path) -> None:
    git("config", "gitbench.retention.manual", "1", cwd=root)
    assert run(root, "checkpoint", "create", "-m", "old").exit_code == 0


def _outside_file(root: Path) -> None:
    (root.parent / "incoming.md").write_text("incoming\n")


def _nothing(_root: Path) -> None:
    return None


SCENARIOS = [
    Scenario("add", _outside_file, ("add", "INCOMING")),
    Scenario("rm", _nothing, ("rm", "docs")),
    Scenario("put", _nothing, ("put", "notes.md"), stdin=b"written\n"),
    Scenario("put-on-draft", _draft, ("put", "--delete", "new.md")),
    Scenario("put-delete", _nothing, ("put", "--delete", "notes.md")),
    Scenario("publish", _draft, ("publish", "--yes")),
    Scenario("publish-on-draft", _on_draft, ("publish", "--yes")),
    Scenario("discard", _draft, ("discard", "--yes")),
    Scenario("discard-on-draft", _on_draft, ("discard", "--yes")),
    Scenario("undo-discard", _discarded, ("discard", "--undo")),
    Scenario("checkpoint", _nothing, ("checkpoint", "create", "-m", "x")),
    Scenario("retention", _retention, ("checkpoint", "create", "-m", "new")),
    Scenario("restore", _checkpointed, ("checkpoint", "restore", "CHECKPOINT")),
]


@dataclass
class Prepared:
    template: Path
    old: tuple[object, ...]
    new: tuple[object, ...]
    args: tuple[str, ...]
    seconds: float


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Prepared]:
    return {}


def _prepare(scenario: Scenario, base: Path, cache: dict[str, Prepared]) -> Prepared:
    if scenario.name in cache:
        return cache[scenario.name]
    template = make_bench(base / scenario.name / "bench", FILES)
    scenario.prepare(template)
    tokens = {"INCOMING": str(template.parent / "incoming.md")}
    if "CHECKPOINT" in scenario.args:
        tokens["CHECKPOINT"] = _checkpoint_id(template)
    args = tuple(tokens.get(a, a) for a in scenario.args)
    clean = _copy(template, base / scenario.name / "clean")
    started = time.monotonic()
    outcome = gitbench(clean, *args, stdin=scenario.stdin)
    seconds = time.monotonic() - started
    assert outcome.returncode == 0, outcome.stderr
    cache[scenario.name] = Prepared(
        template, fingerprint(template), fingerprint(clean), args, seconds
    )
    return cache[scenario.name]


def _checkpoint_id(root: Path) -> str:
    tags = git("for-each-ref", "--format=%(refname:lstrip=3)", "refs/tags/checkpoint/", cwd=root)
    return tags.splitlines()[0]


def _copy(template: Path, target: Path) -> Path:
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(template, target, symlinks=True)
    return target


def _assert_old_or_new(root: Path, case: Prepared, outcome: Outcome) -> None:
    after = run(root, "status", "--json")  # the next command: recovers, then succeeds
    assert after.exit_code == 0, (outcome.stderr, after.stdout, after.stderr)
    assert not (root / ".git" / "gitbench" / "intent.json").exists()
    fsck = git("fsck", "--strict", "--no-progress", cwd=root, check=False)
    assert "error" not in fsck.lower(), fsck
    state = fingerprint(root)
    assert state in (case.old, case.new), "a mix of the old and the new state"
    old_main = git("rev-parse", "main", cwd=case.template)
    git("merge-base", "--is-ancestor", old_main, "main", cwd=root)  # main only moved forward
    assert git("status", "--porcelain", cwd=root) == ""


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
@pytest.mark.parametrize("boundary", BOUNDARIES)
def test_kill_at_every_boundary_leaves_old_or_new_state(
    scenario: Scenario,
    boundary: str,
    tmp_path_factory: pytest.TempPathFactory,
    prepared: dict[str, Prepared],
) -> None:
    case = _prepare(scenario, tmp_path_factory.getbasetemp() / "crash", prepared)
    root = _copy(case.template, tmp_path_factory.mktemp(f"{scenario.name}-{boundary}"))
    outcome = gitbench(root, *case.args, env={"GITBENCH_FAULT_AT": boundary}, stdin=scenario.stdin)
    assert outcome.returncode in (0, -9), outcome.stderr
    _assert_old_or_new(root, case, outcome)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_kill_at_random_moments_leaves_old_or_new_state(
    scenario: Scenario, tmp_path_factory: pytest.TempPathFactory, prepared: dict[str, Prepared]
) -> None:
    case = _prepare(scenario, tmp_path_factory.getbasetemp() / "crash", prepared)
    rng = random.Random(f"gitbench-crash-{scenario.name}")  # reproducible per scenario
    kills = 0
    seconds = case.seconds
    for n in range(RANDOM_KILLS_PER_SCENARIO + EXTRA_TRIES):
        if n >= RANDOM_KILLS_PER_SCENARIO and kills:
            break  # the extra tries are only for a machine whose speed changed under us
        root = _copy(case.template, tmp_path_factory.mktemp(f"{scenario.name}-random-{n}"))
        # Spread over the whole run, from inside start-up to past the end. Under load the
        # duration drifts, so it is re-measured from every run that was not killed.
        delay = rng.uniform(0.2, 1.2) * seconds
        started = time.monotonic()
        outcome = gitbench(root, *case.args, stdin=scenario.stdin, kill_after=delay)
        if not outcome.killed:
            seconds = time.monotonic() - started
        kills += outcome.killed
        _assert_old_or_new(root, case, outcome)
    assert kills > 0, "no run was actually killed: the delays missed the command"
