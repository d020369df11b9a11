"""Creating, adopting, deleting a workbench, and its status."""

from __future__ import annotations

import shutil
from pathlib import Path

from gitbench.clock import Clock, SystemClock
from gitbench.config import Environment
from gitbench.errors import ErrorCode, GitbenchError
from gitbench.policy import consent as consent_records
from gitbench.services import hooks
from gitbench.services.clutter import workbench_clutter
from gitbench.services.drafts import draft_summary
from gitbench.services.model_choice import effective_model
from gitbench.services.models import DeleteResult, InitResult, StatusResult
from gitbench.services.session import change, refuse_if_draft, require_main
from gitbench.store import moves, notes, objects, refs, repo, worktree
from gitbench.store.types import CHECKPOINT_PREFIX, FAILURES_NOTES, MAIN, RefUpdate

FIRST_COMMIT_MESSAGE = "Create workbench"


def init_workbench(
    root: Path, *, adopt: bool = False, clock: Clock | None = None, env: Environment | None = None
) -> InitResult:
    """Create a workbench at `root` (a new git repository with a first commit on main), or with
    `adopt`, make the existing repository at `root` one."""
    clock, env = clock or SystemClock(), env or Environment()
    root = root.resolve()
    if adopt:
        return _adopt(root, clock, env)
    if repo.is_repository_root(root):
        raise GitbenchError(
            ErrorCode.VALIDATION_FAILED,
            f"{root} is already a git repository",
            phase="init",
            detail={"path": str(root), "hint": f"gitbench init --adopt {root}"},
        )
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise GitbenchError(
            ErrorCode.FILE_WRITE_FAILED,
            f"cannot create {root}: {exc.strerror}",
            phase="init",
            detail={"path": str(root)},
        ) from exc
    wb = repo.create_repository(root, clock, env)
    tree = objects.empty_tree(wb)
    first = objects.create_commit(wb, tree, [], FIRST_COMMIT_MESSAGE)
    moves.move_refs(wb, [RefUpdate(MAIN, None, first)], "gitbench: create workbench")
    return _finish(wb, adopted=False)


def _adopt(root: Path, clock: Clock, env: Environment) -> InitResult:
    wb = repo.adopt_repository(root, clock, env)
    return _finish(wb, adopted=True)


def _finish(wb: repo.Workbench, *, adopted: bool) -> InitResult:
    repo.mark_workbench(wb)
    installed = hooks.install_hooks(wb)
    return InitResult(
        root=str(wb.root),
        main=require_main(wb),
        adopted=adopted,
        hooks=[h.name for h in installed.hooks if h.current],
    )


def delete_workbench(wb: repo.Workbench) -> DeleteResult:
    """Remove the workbench directory and everything in it. Refused while a draft exists."""
    with change(wb, "delete"):
        refuse_if_draft(wb, "delete the workbench")
        root = wb.root
        if not (root / ".git").is_dir() or root == Path(root.anchor):
            raise GitbenchError(
                ErrorCode.SANDBOX_VIOLATION,
                f"refusing to delete {root}: it does not look like a workbench root",
                phase="delete",
            )
        shutil.rmtree(root)
    return DeleteResult(root=str(root))


def status(wb: repo.Workbench) -> StatusResult:
    """Published tip, the draft (if any), checkpoints, local changes and recorded failures."""
    main = require_main(wb)
    head = refs.head_branch(wb)
    return StatusResult(
        root=str(wb.root),
        main=main,
        main_subject=objects.commit_info(wb, main).subject,
        draft=draft_summary(wb, main),
        checkpoints=len(refs.list_refs(wb, CHECKPOINT_PREFIX)),
        head=head,
        local_changes=worktree.local_changes(wb),
        failures=sum(len(r) for r in notes.all_notes(wb, FAILURES_NOTES).values()),
        model=effective_model(wb),
        consent_mode=consent_records.load(consent_records.consent_path(wb.state_dir)).mode,
        clutter=workbench_clutter(wb),
    )
