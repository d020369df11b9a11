"""The shipped hooks make plain git (the real binary) obey gitbench's rules; libgit2 is not affected.

Every refused command must fail, say one `gitbench:` sentence naming the gitbench command to use
and the escape hatch, and leave every ref, HEAD and main's reflog as they were.
"""

from __future__ import annotations

import shlex
from pathlib import Path

import pygit2
import pytest

from tests.support.gitcli import git, git_run, rev
from tests.support.hookbench import (
    NOTES,
    changed,
    make_remote,
    make_workbench,
    refusals,
    state,
)

pytestmark = pytest.mark.e2e

HATCH = "GITBENCH_ALLOW_DIRECT=1"
PUBLISH = "`gitbench publish`"
PUT = "`gitbench put PATH`"
RESTORE_C1 = "`gitbench checkpoint restore c1`"
PACKED = ("pack-refs --all",)
ON_DRAFT = ("switch -q draft",)
DETACHED = ("switch -q --detach",)


@pytest.fixture
def bench(tmp_path: Path) -> Path:
    return make_workbench(tmp_path / "bench")


def run(repo: Path, command: str) -> tuple[int, str]:
    done = git_run(*shlex.split(command), cwd=repo)
    return done.returncode, done.stderr


def setup(repo: Path, commands: tuple[str, ...]) -> None:
    for command in commands:
        git(*shlex.split(command), cwd=repo)


def assert_refused(repo: Path, before: dict[str, str], code: int, stderr: str, says: str) -> None:
    assert code != 0
    [sentence] = refusals(stderr)
    assert says in sentence
    assert HATCH in sentence
    assert state(repo) == before


REFUSED = [
    # main, the published copy: every way plain git moves or deletes it
    pytest.param((), "commit --allow-empty -m x", PUT, id="commit-on-main"),
    pytest.param(
        ("branch -D draft",), "commit --allow-empty -m x", "`git switch -c draft`", id="no-draft"
    ),
    pytest.param((), "commit --no-verify --allow-empty -m x", PUBLISH, id="commit-no-verify"),
    pytest.param((), "commit --no-verify --amend -m x", PUBLISH, id="commit-amend"),
    pytest.param((), "reset --hard HEAD~1", PUBLISH, id="reset-back"),
    pytest.param((), "reset --keep draft", PUBLISH, id="reset-forward"),
    pytest.param((), "merge --ff-only draft", PUBLISH, id="merge-ff"),
    pytest.param((), "merge --no-ff -m m draft", PUBLISH, id="merge-commit"),
    pytest.param((), "pull --ff-only . draft", PUBLISH, id="pull"),
    pytest.param((), "cherry-pick draft", PUBLISH, id="cherry-pick"),
    pytest.param((), "checkout -B main draft", PUBLISH, id="checkout-B"),
    pytest.param(ON_DRAFT, "branch -f main draft", PUBLISH, id="branch-f"),
    pytest.param((), "update-ref refs/heads/main draft", PUBLISH, id="update-ref"),
    pytest.param((), "update-ref refs/heads/main main~1 main", PUBLISH, id="update-ref-old"),
    pytest.param((), "update-ref -d refs/heads/main", PUBLISH, id="update-ref-d"),
    pytest.param(ON_DRAFT, "fetch . draft:main", PUBLISH, id="fetch-into-main"),
    pytest.param(ON_DRAFT, "push . draft:main", PUBLISH, id="push-into-main"),
    pytest.param(ON_DRAFT, "branch -D main", PUBLISH, id="branch-D"),
    pytest.param((), "branch -m main published", PUBLISH, id="branch-m"),
    pytest.param(DETACHED, "branch -M main draft", PUBLISH, id="branch-M"),
    pytest.param(PACKED, "update-ref -d refs/heads/main", PUBLISH, id="packed-delete"),
    pytest.param(PACKED, "branch -m main published", PUBLISH, id="packed-branch-m"),
    pytest.param(PACKED, "update-ref refs/heads/main draft", PUBLISH, id="packed-move"),
    # checkpoint tags: never moved, never deleted
    pytest.param((), "tag -d checkpoint/c1", RESTORE_C1, id="tag-d"),
    pytest.param((), "tag -f checkpoint/c1 draft", RESTORE_C1, id="tag-f"),
    pytest.param((), "tag -f -a -m again checkpoint/c1", RESTORE_C1, id="tag-f-annotated"),
    pytest.param((), "update-ref refs/tags/checkpoint/c1 draft", RESTORE_C1, id="tag-update-ref"),
    pytest.param((), "update-ref -d refs/tags/checkpoint/c1", RESTORE_C1, id="tag-update-ref-d"),
    pytest.param((), "fetch . +draft:refs/tags/checkpoint/c1", RESTORE_C1, id="tag-fetch"),
    pytest.param(PACKED, "tag -d checkpoint/c1", RESTORE_C1, id="packed-tag-d"),
]


@pytest.mark.parametrize(("given", "command", "says"), REFUSED)
def test_plain_git_cannot_move_main_or_checkpoints(
    bench: Path, given: tuple[str, ...], command: str, says: str
) -> None:
    setup(bench, given)
    before = state(bench)
    assert_refused(bench, before, *run(bench, command), says)


ALLOWED = [
    pytest.param(ON_DRAFT, "commit --allow-empty -m x", {"refs/heads/draft"}, id="commit-draft"),
    pytest.param(DETACHED, "commit --allow-empty -m x", {"HEAD"}, id="commit-detached"),
    pytest.param((), "switch draft", {"HEAD"}, id="switch-draft"),
    pytest.param((), "branch feature", {"refs/heads/feature"}, id="branch"),
    pytest.param((), "branch -D draft", {"refs/heads/draft"}, id="branch-D-draft"),
    pytest.param((), "tag -a -m cp checkpoint/c3", {"refs/tags/checkpoint/c3"}, id="checkpoint"),
    pytest.param((), "tag checkpoint/light", {"refs/tags/checkpoint/light"}, id="lightweight"),
    pytest.param(
        (),
        "fetch . refs/heads/*:refs/remotes/self/*",
        {"refs/remotes/self/main", "refs/remotes/self/draft"},
        id="fetch-remotes",
    ),
    pytest.param((), "notes --ref=gitbench/failures add -m x draft", {NOTES}, id="notes"),
    pytest.param((), "pack-refs --all", set(), id="pack-refs"),
    pytest.param(PACKED, "tag -a -m cp checkpoint/c3", {"refs/tags/checkpoint/c3"}, id="packed"),
    # rewriting main with the value it already has is not a move
    pytest.param((), "update-ref refs/heads/main main", set(), id="update-ref-same"),
    pytest.param((), "reset --hard main", set(), id="reset-same"),
]


@pytest.mark.parametrize(("given", "command", "changes"), ALLOWED)
def test_plain_git_still_works_elsewhere(
    bench: Path, given: tuple[str, ...], command: str, changes: set[str]
) -> None:
    setup(bench, given)
    before = state(bench)
    code, stderr = run(bench, command)
    assert (code, refusals(stderr)) == (0, [])
    assert changed(before, state(bench)) == changes


def test_a_refused_update_aborts_the_whole_transaction(bench: Path) -> None:
    before = state(bench)
    batch = b"create refs/heads/feature draft\nupdate refs/heads/main draft\n"
    done = git_run("update-ref", "--stdin", cwd=bench, input=batch)
    assert_refused(bench, before, done.returncode, done.stderr, PUBLISH)


def test_refused_rebase_is_undone_by_rebase_abort(bench: Path) -> None:
    # the refusal comes when rebase moves main at the very end; the rebase stays in progress
    before = state(bench)
    code, stderr = run(bench, "rebase draft")
    assert code != 0
    assert len(refusals(stderr)) == 1
    assert {**state(bench), "HEAD": "refs/heads/main"} == before
    git("rebase", "--abort", cwd=bench)
    assert state(bench) == before


def test_forced_rename_onto_main_keeps_main(bench: Path) -> None:
    # git 2.39 deletes the source branch before it asks to replace main, so the refusal leaves
    # `draft` deleted; main and the checkpoints are what the hook guarantees (docs/hooks.md).
    setup(bench, DETACHED)
    before = state(bench)
    code, stderr = run(bench, "branch -M draft main")
    assert code != 0
    assert len(refusals(stderr)) == 1
    after = state(bench)
    del before["refs/heads/draft"]
    after.pop("refs/heads/draft", None)
    assert after == before


def test_libgit2_runs_no_hooks(bench: Path) -> None:
    repo = pygit2.Repository(str(bench))
    draft = repo.references["refs/heads/draft"].target
    repo.references["refs/heads/main"].set_target(draft, "gitbench publish")
    repo.references.delete("refs/tags/checkpoint/c1")
    assert rev(bench, "refs/heads/main") == str(draft)
    assert rev(bench, "refs/tags/checkpoint/c1") is None


@pytest.mark.parametrize(
    ("command", "gone_or_moved"),
    [
        ("reset --hard HEAD~1", "refs/heads/main"),
        ("commit --allow-empty -m direct", "refs/heads/main"),
        ("tag -d checkpoint/c1", "refs/tags/checkpoint/c1"),
    ],
)
def test_escape_hatch_lets_plain_git_through(
    bench: Path, monkeypatch: pytest.MonkeyPatch, command: str, gone_or_moved: str
) -> None:
    monkeypatch.setenv("GITBENCH_ALLOW_DIRECT", "1")
    before = state(bench)
    code, stderr = run(bench, command)
    assert (code, "gitbench" in stderr) == (0, False)
    assert gone_or_moved in changed(before, state(bench))


@pytest.fixture
def client(tmp_path: Path) -> Path:
    """A workbench without hooks (another person's clone) pushing to a bare remote that has them."""
    return make_workbench(tmp_path / "client", hooks=False)


@pytest.fixture
def remote(client: Path, tmp_path: Path) -> Path:
    return make_remote(client, tmp_path / "remote.git")


PUSH_REFUSED = [
    pytest.param((), "push --force origin main~1:main", PUBLISH, id="main-non-ff"),
    pytest.param((), "push origin :main", PUBLISH, id="main-delete"),
    pytest.param(
        (), f"push --force origin {NOTES}~1:{NOTES}", "merge FETCH_HEAD`", id="notes-non-ff"
    ),
    pytest.param((), f"push origin :{NOTES}", "merge FETCH_HEAD`", id="notes-delete"),
    pytest.param((), "push origin :refs/tags/checkpoint/c1", RESTORE_C1, id="tag-delete"),
    pytest.param(
        ("tag -f -a -m moved checkpoint/c1 draft",),
        "push --force origin refs/tags/checkpoint/c1",
        RESTORE_C1,
        id="tag-move",
    ),
    # pre-receive refuses the whole push: the fast-forward of main does not land either
    pytest.param((), "push origin draft:main :refs/tags/checkpoint/c1", RESTORE_C1, id="mixed"),
]


@pytest.mark.parametrize(("given", "command", "says"), PUSH_REFUSED)
def test_remote_refuses_rewriting_pushes(
    client: Path, remote: Path, given: tuple[str, ...], command: str, says: str
) -> None:
    setup(client, given)
    before = state(remote)
    code, stderr = run(client, command)
    assert "remote: gitbench: refusing" in stderr
    assert_refused(remote, before, code, stderr, says)


PUSH_ALLOWED = [
    pytest.param((), "push origin draft:main", {"refs/heads/main"}, id="main-ff"),
    pytest.param((), "push origin draft:refs/heads/new", {"refs/heads/new"}, id="new-branch"),
    pytest.param((), "push --force origin main:draft", {"refs/heads/draft"}, id="draft-non-ff"),
    pytest.param(
        ("tag -a -m cp checkpoint/c3 draft",),
        "push origin checkpoint/c3",
        {"refs/tags/checkpoint/c3"},
        id="tag-create",
    ),
    pytest.param(
        ("notes --ref=gitbench/failures add -m x draft",),
        f"push origin {NOTES}",
        {NOTES},
        id="notes-ff",
    ),
    pytest.param(
        (),
        f"push origin {NOTES}~1:refs/notes/gitbench/other",
        {"refs/notes/gitbench/other"},
        id="notes-create",
    ),
]


@pytest.mark.parametrize(("given", "command", "changes"), PUSH_ALLOWED)
def test_remote_accepts_growing_pushes(
    client: Path, remote: Path, given: tuple[str, ...], command: str, changes: set[str]
) -> None:
    setup(client, given)
    before = state(remote)
    code, stderr = run(client, command)
    assert (code, refusals(stderr)) == (0, [])
    assert changed(before, state(remote)) == changes


def test_escape_hatch_reaches_a_local_remote(
    client: Path, remote: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a push to a path runs receive-pack (and so pre-receive) with the pusher's environment
    monkeypatch.setenv("GITBENCH_ALLOW_DIRECT", "1")
    code, stderr = run(client, "push --force origin main~1:main")
    assert (code, "gitbench" in stderr) == (0, False)
    assert rev(remote, "main") == rev(client, "main~1")
