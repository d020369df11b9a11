"""Several real gitbench processes at once never corrupt a workbench or lose a write."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.benches import commit_on_branch, make_bench
from tests.support.gitcli import git

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

WRITERS = 10
WRITES_EACH = 20

# One gitbench process making WRITES_EACH puts; a lost race is retried, as a person would.
WRITER = """
import sys, json
from pathlib import Path
from gitbench.errors import ErrorCode, GitbenchError
from gitbench.services.drafts import put_file
from gitbench.services.session import open_bench
root, me, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
retries = 0
for i in range(count):
    while True:
        try:
            put_file(open_bench(root), f"writer-{me}.txt", f"{me}:{i}\\n".encode())
            break
        except GitbenchError as exc:
            assert exc.code is ErrorCode.CONCURRENT_UPDATE, exc
            retries += 1
print(json.dumps({"retries": retries}))
"""


def _spawn(*args: str, cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, *args], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def test_ten_writers_lose_nothing_and_history_stays_linear(tmp_path: Path) -> None:
    root = make_bench(tmp_path / "bench", {"notes.md": "n\n"})
    procs = [
        _spawn("-c", WRITER, str(root), str(n), str(WRITES_EACH), cwd=root) for n in range(WRITERS)
    ]
    outputs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0] * WRITERS, [err for _, err in outputs]
    assert git("rev-list", "--count", "main..draft", cwd=root) == str(WRITERS * WRITES_EACH)
    assert git("rev-list", "--merges", "main..draft", cwd=root) == ""
    assert git("merge-base", "main", "draft", cwd=root) == git("rev-parse", "main", cwd=root)
    for n in range(WRITERS):
        final = git("show", f"draft:writer-{n}.txt", cwd=root)
        assert final == f"{n}:{WRITES_EACH - 1}"
        history = git("log", "--format=%s", "draft", "--", f"writer-{n}.txt", cwd=root)
        assert history.count("\n") + 1 == WRITES_EACH  # every write is a commit of its own
    assert "error" not in git("fsck", "--strict", "--no-progress", cwd=root, check=False).lower()


def _race(root: Path, *commands: tuple[str, ...]) -> list[dict[str, object]]:
    procs = [_spawn("-m", "gitbench", *cmd, "--json", cwd=root) for cmd in commands]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode in (0, 4), err  # success, or a clean refusal
        results.append(json.loads(out))
    return results


def _invariants_hold(root: Path, old_main: str) -> None:
    git("merge-base", "--is-ancestor", old_main, "main", cwd=root)
    if git("rev-parse", "--verify", "-q", "draft", cwd=root, check=False):
        git("merge-base", "--is-ancestor", "main", "draft", cwd=root)
    assert git("status", "--porcelain", cwd=root) == ""
    assert "error" not in git("fsck", "--strict", "--no-progress", cwd=root, check=False).lower()
    doctor = subprocess.run(
        [sys.executable, "-m", "gitbench", "doctor", "--json"],
        check=False,
        cwd=root,
        capture_output=True,
        text=True,
    )
    checks = json.loads(doctor.stdout)["result"]["checks"]
    failed = [c for c in checks if not c["ok"] and "hooks" not in c["name"]]
    assert failed == []


@pytest.mark.parametrize("round_", range(5))
def test_publish_racing_publish_publishes_once(tmp_path: Path, round_: int) -> None:
    root = make_bench(tmp_path / "bench", {"notes.md": "n\n"})
    commit_on_branch(root, "draft", {"notes.md": "drafted\n"}, "d")
    old_main, tip = git("rev-parse", "main", cwd=root), git("rev-parse", "draft", cwd=root)
    results = _race(root, ("publish",), ("publish",))
    assert sorted(r["ok"] for r in results) == [False, True]
    (refused,) = [r for r in results if not r["ok"]]
    assert refused["error"]["code"] in ("NO_DRAFT", "CONCURRENT_UPDATE")  # type: ignore[index]
    assert git("rev-parse", "main", cwd=root) == tip
    assert len(git("tag", "-l", "checkpoint/*", cwd=root).splitlines()) == 1
    _invariants_hold(root, old_main)


@pytest.mark.parametrize("round_", range(5))
def test_publish_racing_put_loses_no_write(tmp_path: Path, round_: int) -> None:
    root = make_bench(tmp_path / "bench", {"notes.md": "n\n"})
    commit_on_branch(root, "draft", {"notes.md": "drafted\n"}, "d")
    old_main = git("rev-parse", "main", cwd=root)
    late = tmp_path / "late.md"
    late.write_text("late\n")
    procs = [
        _spawn("-m", "gitbench", "publish", "--json", cwd=root),
        _spawn("-m", "gitbench", "put", "late.md", "--from", str(late), "--json", cwd=root),
    ]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [err for _, err in outputs]
    # The put landed either before the publish (now on main) or after it (on a new draft).
    landed = git("show", "main:late.md", cwd=root, check=False) or git(
        "show", "draft:late.md", cwd=root, check=False
    )
    assert landed == "late"
    assert git("show", "main:notes.md", cwd=root) == "drafted"
    _invariants_hold(root, old_main)


@pytest.mark.parametrize("round_", range(5))
def test_restore_racing_publish_never_breaks_an_invariant(tmp_path: Path, round_: int) -> None:
    root = make_bench(tmp_path / "bench", {"notes.md": "n\n"})
    subprocess.run(
        [sys.executable, "-m", "gitbench", "checkpoint", "create"],
        cwd=root,
        check=True,
        capture_output=True,
    )
    checkpoint = git("tag", "-l", "checkpoint/*", cwd=root).removeprefix("checkpoint/")
    commit_on_branch(root, "draft", {"notes.md": "drafted\n"}, "d")
    old_main = git("rev-parse", "main", cwd=root)
    results = _race(root, ("publish",), ("checkpoint", "restore", checkpoint))
    publish, restore = results
    assert publish["ok"] is True
    if not restore["ok"]:
        assert restore["error"]["code"] in ("DRAFT_EXISTS", "CONCURRENT_UPDATE")  # type: ignore[index]
    _invariants_hold(root, old_main)
