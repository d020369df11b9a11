"""Checkpoints: annotated tags `refs/tags/checkpoint/<UTC stamp>-<reason>[-n]` that never move.

The tag message is JSON metadata. Restore never rewrites history: it takes a `pre_restore`
checkpoint, then adds a commit on main whose tree is the checkpoint's tree.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, ValidationError

from gitbench.clock import from_epoch, iso, stamp
from gitbench.config import setting
from gitbench.errors import Action, ErrorCode, GitbenchError
from gitbench.services import conversation
from gitbench.services.models import Checkpoint, CheckpointCreated, CheckpointList, RestoreResult
from gitbench.services.session import change, refuse_if_draft, require_main
from gitbench.services.settings import read_setting
from gitbench.store import diff, moves, objects, refs, treestats
from gitbench.store.repo import Workbench
from gitbench.store.types import CHECKPOINT_PREFIX, MAIN, ObjectId, RefName, RefUpdate

PROTECTED = ("publish", "pre_restore")


def prepare_checkpoint(
    wb: Workbench,
    commit: ObjectId,
    reason: str,
    description: str,
    near: Sequence[ObjectId] = (),
) -> tuple[RefUpdate, Checkpoint]:
    """Write the tag object for a checkpoint of `commit`; the caller creates its ref in the same
    compare-and-swap as the change the checkpoint protects. `near`: trees close to the commit's
    (the other side of the change), from which its file totals can be derived cheaply."""
    now = wb.clock.now()
    name = _free_id(wb, stamp(now), reason)
    info = objects.commit_info(wb, commit)
    parents = [objects.commit_info(wb, info.parents[0]).tree] if info.parents else []
    totals = treestats.tree_totals(wb, info.tree, near=[*near, *parents])
    meta = {
        "reason": reason,
        "description": description,
        "created_at": iso(now),
        "files": totals.files,
        "bytes": totals.bytes,
    }
    tag = objects.write_tag(wb, f"checkpoint/{name}", commit, json.dumps(meta, indent=2) + "\n")
    checkpoint = Checkpoint(id=name, commit=commit, **_Meta.model_validate(meta).model_dump())
    return RefUpdate(RefName(CHECKPOINT_PREFIX + name), None, tag), checkpoint


def create_checkpoint(
    wb: Workbench, description: str = "", reason: str = "manual"
) -> CheckpointCreated:
    """Checkpoint the current main and apply the retention policy, in one ref transaction (a
    crash never leaves the new checkpoint without the pruning, or the reverse)."""
    with change(wb, "checkpoint create"):
        main = require_main(wb)
        update, checkpoint = prepare_checkpoint(wb, main, reason, description)
        keep = {r: int(read_setting(wb, setting(f"retention.{r}"))) for r in ("manual", "auto")}
        doomed = _beyond_retention([*list_checkpoints(wb).checkpoints, checkpoint], keep)
        # With a retention of 0 the new checkpoint is pruned at once: it is never created.
        creations = [] if checkpoint in doomed else [update]
        removals = [
            RefUpdate(RefName(CHECKPOINT_PREFIX + c.id), _tag_id(wb, c.id), None)
            for c in doomed
            if c != checkpoint
        ]
        moves.move_refs(wb, creations + removals, f"gitbench: checkpoint {checkpoint.id}")
    return CheckpointCreated(checkpoint=checkpoint, pruned=[c.id for c in doomed])


def list_checkpoints(wb: Workbench) -> CheckpointList:
    """Every checkpoint, oldest first."""
    found = [
        _read(wb, name.removeprefix(CHECKPOINT_PREFIX), tag)
        for name, tag in refs.list_refs(wb, CHECKPOINT_PREFIX)
    ]
    # A tag on something other than a commit is no checkpoint (doctor reports it).
    return CheckpointList(checkpoints=sorted((c for c in found if c), key=_age_order))


def show_checkpoint(wb: Workbench, checkpoint_id: str) -> Checkpoint:
    return _lookup(wb, checkpoint_id)


def restore_checkpoint(wb: Workbench, checkpoint_id: str) -> RestoreResult:
    """Make main's files equal the checkpoint's, as a new commit after a `pre_restore`
    checkpoint. Refused while a draft exists."""
    with change(wb, "checkpoint restore"):
        refuse_if_draft(wb, "restore a checkpoint")
        target = _lookup(wb, checkpoint_id)
        main = require_main(wb)
        main_tree = objects.commit_info(wb, main).tree
        tree = objects.commit_info(wb, ObjectId(target.commit)).tree
        if tree == main_tree:
            return RestoreResult(
                checkpoint=target.id, commit=None, pre_restore=None, files_changed=0
            )
        changed = len(diff.changed_paths(wb, main_tree, tree))
        guard, pre = prepare_checkpoint(
            wb, main, "pre_restore", f"before restoring {target.id}", near=[tree]
        )
        message = f"Restore checkpoint {target.id}\n\nGitbench-Restored-From: {target.commit}\n"
        commit = objects.create_commit(wb, tree, [main], message)
        # pre_restore checkpoints are never pruned, so restore has no retention to apply.
        moves.move_refs(
            wb, [guard, RefUpdate(MAIN, main, commit)], f"gitbench: restore {target.id}"
        )
    conversation.record_event(
        wb, f"restored checkpoint {target.id}", checkpoint=target.id, commit=commit
    )
    return RestoreResult(
        checkpoint=target.id, commit=commit, pre_restore=pre, files_changed=changed
    )


def _beyond_retention(checkpoints: list[Checkpoint], settings: dict[str, int]) -> list[Checkpoint]:
    """The oldest manual and auto checkpoints past `retention.manual` / `retention.auto`;
    publish and pre_restore checkpoints are never pruned."""
    doomed: list[Checkpoint] = []
    ordered = sorted(checkpoints, key=_age_order)
    for reason in ("manual", "auto"):
        mine = [c for c in ordered if c.reason == reason]
        doomed.extend(mine[: max(0, len(mine) - settings[reason])])
    return doomed


def _lookup(wb: Workbench, checkpoint_id: str) -> Checkpoint:
    cleaned = checkpoint_id.removeprefix("refs/tags/").removeprefix("checkpoint/")
    tag = refs.read_ref(wb, RefName(CHECKPOINT_PREFIX + cleaned)) if "/" not in cleaned else None
    found = _read(wb, cleaned, tag) if tag is not None else None
    if found is None:
        raise GitbenchError(
            ErrorCode.NOT_FOUND,
            f"no checkpoint {checkpoint_id!r}",
            phase="lookup",
            actions=(Action.RESTORE_CHECKPOINT,),
            detail={"id": checkpoint_id},
        )
    return found


def _tag_id(wb: Workbench, name: str) -> ObjectId:
    tag = refs.read_ref(wb, RefName(CHECKPOINT_PREFIX + name))
    assert tag is not None, f"checkpoint {name} vanished under the workbench lock"
    return tag


def _read(wb: Workbench, name: str, tag: ObjectId) -> Checkpoint | None:
    commit = objects.peel_to_commit(wb, tag)
    if commit is None:
        return None
    if not objects.is_tag(wb, tag):
        # A lightweight tag made by hand: describe it from its commit alone.
        made = iso(from_epoch(objects.commit_info(wb, commit).time))
        meta = _Meta(description="(made without gitbench)", created_at=made)
        return Checkpoint(id=name, commit=commit, **meta.model_dump())
    info = objects.tag_info(wb, tag)
    try:
        meta = _Meta.model_validate_json(info.message)
    except ValidationError:
        meta = _Meta(description=info.message.strip(), created_at=iso(from_epoch(info.time)))
    return Checkpoint(id=name, commit=commit, **meta.model_dump())


_ID = re.compile(r"^(?P<stamp>\d{8}T\d{6}Z)-(?P<reason>[a-z_]+)(?:-(?P<n>\d+))?$")


def _sequence(checkpoint_id: str) -> int:
    match = _ID.match(checkpoint_id)
    return int(match["n"] or 1) if match else 0


def _age_order(checkpoint: Checkpoint) -> tuple[str, int, str]:
    # Within one second the -n suffix counts up: compare it as a number, not as text.
    return (checkpoint.created_at, _sequence(checkpoint.id), checkpoint.id)


class _Meta(BaseModel):
    """The JSON a checkpoint tag's message holds."""

    reason: Literal["publish", "manual", "pre_restore", "auto"] = "manual"
    description: str = ""
    created_at: str
    files: int = 0
    bytes: int = 0


def _free_id(wb: Workbench, when: str, reason: str) -> str:
    """`<stamp>-<reason>`, or with `-n` one past every checkpoint of the same second, so an id
    freed by retention is never reused for a newer checkpoint."""
    taken = [
        _sequence(name.removeprefix(CHECKPOINT_PREFIX))
        for name, _ in refs.list_refs(wb, f"{CHECKPOINT_PREFIX}{when}-")
    ]
    n = max(taken, default=0) + 1
    return f"{when}-{reason}" if n == 1 else f"{when}-{reason}-{n}"
