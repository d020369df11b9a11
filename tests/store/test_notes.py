from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from gitbench.store import notes, refs
from gitbench.store.repo import Workbench
from gitbench.store.types import FAILURES_NOTES, MAIN, ObjectId
from tests.support.gitcli import git

WRITER = """
import sys
from pathlib import Path
from gitbench.clock import SystemClock
from gitbench.services.session import open_bench
from gitbench.store import notes, refs
from gitbench.store.types import FAILURES_NOTES, MAIN, RefName
wb = open_bench(Path(sys.argv[1]))
target = refs.read_ref(wb, MAIN)
for i in range(int(sys.argv[3])):
    notes.append_note(wb, FAILURES_NOTES, target, {"writer": sys.argv[2], "i": i})
"""


def test_notes_are_json_records_git_can_read(wb: Workbench) -> None:
    main = refs.read_ref(wb, MAIN)
    assert main is not None
    notes.append_note(wb, FAILURES_NOTES, main, {"code": "DISK_FULL"})
    notes.append_note(wb, FAILURES_NOTES, main, {"code": "CONCURRENT_UPDATE"})
    shown = json.loads(git("notes", "--ref=gitbench/failures", "show", main, cwd=wb.root))
    assert shown == {"schema": 1, "records": [{"code": "DISK_FULL"}, {"code": "CONCURRENT_UPDATE"}]}
    assert notes.all_notes(wb, FAILURES_NOTES) == {main: shown["records"]}


def test_a_note_written_by_hand_is_kept_as_text(wb: Workbench) -> None:
    main = refs.read_ref(wb, MAIN)
    git("notes", "--ref=gitbench/failures", "add", "-m", "checked by hand", str(main), cwd=wb.root)
    assert notes.all_notes(wb, FAILURES_NOTES) == {main: [{"text": "checked by hand\n"}]}
    notes.append_note(wb, FAILURES_NOTES, ObjectId(str(main)), {"code": "X"})
    assert notes.all_notes(wb, FAILURES_NOTES)[ObjectId(str(main))][-1] == {"code": "X"}


def test_concurrent_writers_lose_no_note(bench_path: Path) -> None:
    # pygit2's create_note kept 78-88 of 200 notes with four writers (design.md section 3).
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(bench_path), str(n), "25"])
        for n in range(4)
    ]
    assert [w.wait(timeout=120) for w in writers] == [0, 0, 0, 0]
    main = git("rev-parse", "main", cwd=bench_path)
    records = json.loads(git("notes", "--ref=gitbench/failures", "show", main, cwd=bench_path))[
        "records"
    ]
    assert sorted((r["writer"], r["i"]) for r in records) == sorted(
        (str(n), i) for n in range(4) for i in range(25)
    )
    assert (
        git("log", "--format=%s", "refs/notes/gitbench/failures", cwd=bench_path).count("\n") == 99
    )
