"""The workbench lock: one gitbench process at a time moves refs.

The lock file records the holder's pid, so a lock left by a killed process is recognised as
stale and removed (and reported) instead of blocking the workbench forever.
"""

from __future__ import annotations

import contextlib
import errno
import os
import time
from collections.abc import Iterator
from pathlib import Path

from gitbench.errors import Action, ErrorCode, GitbenchError

LOCK_NAME = "lock"
WAIT_SECONDS = 10.0
POLL_SECONDS = 0.02


@contextlib.contextmanager
def workbench_lock(state_dir: Path, wait: float = WAIT_SECONDS) -> Iterator[list[str]]:
    """Hold the lock for the duration of the block; yields notes about stale locks removed."""
    path = state_dir / LOCK_NAME
    try:
        state_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _os_error(exc, state_dir) from exc
    notes: list[str] = []
    deadline = time.monotonic() + wait
    while not _try_create(path):
        holder = _holder(path)
        if holder is not None and not _alive(holder):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
            notes.append(f"removed a stale lock left by process {holder}")
            continue
        if time.monotonic() >= deadline:
            raise _busy(holder)
        time.sleep(POLL_SECONDS)
    try:
        yield notes
    finally:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def _try_create(path: Path) -> bool:
    # Write the pid to a private file, then hard-link it into place: the lock file appears
    # with its content, so no one ever sees an empty lock and mistakes it for a stale one.
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(f"{os.getpid()}\n")
        os.link(tmp, path)
    except FileExistsError:
        return False
    except OSError as exc:
        raise _os_error(exc, path) from exc
    finally:
        tmp.unlink(missing_ok=True)
    return True


def _holder(path: Path) -> int | None:
    try:
        text = path.read_text().strip()
    except FileNotFoundError:
        return None
    # Not a pid (a lock file written by something else, or truncated by a full disk): no live
    # gitbench holds it, since ours are always written whole.
    return int(text) if text.isdigit() else 0


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it exists
        return True
    return True


def _busy(holder: int | None) -> GitbenchError:
    return GitbenchError(
        ErrorCode.CONCURRENT_UPDATE,
        f"another gitbench process ({holder}) is changing this workbench",
        phase="lock",
        actions=(Action.RETRY,),
        retryable=True,
        detail={"holder_pid": holder},
    )


def _os_error(exc: OSError, path: Path) -> GitbenchError:
    if exc.errno == errno.ENOSPC:
        return GitbenchError(
            ErrorCode.DISK_FULL,
            "the disk is full",
            phase="lock",
            actions=(Action.FREE_DISK_SPACE,),
            detail={"path": str(path)},
        )
    return GitbenchError(
        ErrorCode.FILE_WRITE_FAILED,
        f"cannot write {path}: {exc.strerror}",
        phase="lock",
        detail={"path": str(path)},
    )
