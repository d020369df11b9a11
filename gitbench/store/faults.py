"""Step boundaries where the crash-safety tests kill gitbench (issue: crash safety).

`GITBENCH_FAULT_AT=NAME` (or `NAME#K` for the K-th time that boundary is reached) makes the
process SIGKILL itself there, so the tests can stop a real process at every boundary of every
operation and then check that the next command sees the old state or the new one.
"""

from __future__ import annotations

import os
import signal

from gitbench.store.repo import Workbench

BOUNDARIES = (
    "objects_written",
    "intent_written",
    "worktree_updated",
    "refs_moved",
    "head_pointed",
    "intent_cleared",
)


def boundary(wb: Workbench, name: str) -> None:
    if wb.fault_at is None:
        return
    count = wb.boundaries_passed.get(name, 0) + 1
    wb.boundaries_passed[name] = count
    wanted, _, nth = wb.fault_at.partition("#")
    if wanted == name and count == (int(nth) if nth else 1):
        os.kill(os.getpid(), signal.SIGKILL)
