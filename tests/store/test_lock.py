from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from gitbench.errors import ErrorCode, GitbenchError
from gitbench.store.lock import LOCK_NAME, workbench_lock


def _dead_pid() -> int:
    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(done.stdout)


def test_lock_is_held_for_the_block_and_released(tmp_path: Path) -> None:
    with workbench_lock(tmp_path) as notes:
        assert (tmp_path / LOCK_NAME).read_text().strip().isdigit()
        assert notes == []
    assert not (tmp_path / LOCK_NAME).exists()


def test_lock_left_by_a_killed_process_is_removed_and_reported(tmp_path: Path) -> None:
    pid = _dead_pid()
    (tmp_path / LOCK_NAME).write_text(f"{pid}\n")
    with workbench_lock(tmp_path, wait=0.5) as notes:
        assert notes == [f"removed a stale lock left by process {pid}"]


def test_empty_lock_file_is_stale(tmp_path: Path) -> None:
    (tmp_path / LOCK_NAME).write_text("")
    with workbench_lock(tmp_path, wait=0.5) as notes:
        assert len(notes) == 1


def test_lock_held_by_a_live_process_is_a_concurrent_update(tmp_path: Path) -> None:
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        (tmp_path / LOCK_NAME).write_text(f"{holder.pid}\n")
        with pytest.raises(GitbenchError) as caught, workbench_lock(tmp_path, wait=0.2):
            pass
        assert caught.value.code is ErrorCode.CONCURRENT_UPDATE
        assert caught.value.phase == "lock"
        assert caught.value.detail["holder_pid"] == holder.pid
        assert (tmp_path / LOCK_NAME).exists()  # someone else's lock is never removed
    finally:
        holder.kill()
        holder.wait()


def test_unwritable_state_directory_is_a_write_failure(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    with pytest.raises(GitbenchError) as caught, workbench_lock(blocker / "gitbench"):
        pass
    assert caught.value.code is ErrorCode.FILE_WRITE_FAILED
    assert caught.value.phase == "lock"
