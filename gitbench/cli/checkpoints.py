"""checkpoint create | list | show | restore."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from gitbench.cli import render
from gitbench.cli.app import json_option, options
from gitbench.cli.render import escape, short

if TYPE_CHECKING:
    from rich.console import Console

    from gitbench.services.models import Checkpoint, CheckpointList, RestoreResult


@click.group("checkpoint")
def checkpoint() -> None:
    """Checkpoints of the published files (annotated tags that never move)."""


@checkpoint.command("create")
@click.option("-m", "--message", "description", default="", help="What this checkpoint marks.")
@json_option
def create(description: str) -> None:
    """Checkpoint the published files as they are now."""
    from gitbench.services.checkpoints import create_checkpoint

    result = create_checkpoint(options().bench(), description=description)
    render.emit(
        result, "checkpoint create", lambda out: _created(out, result.checkpoint, result.pruned)
    )


def _created(out: Console, c: Checkpoint, pruned: list[str]) -> None:
    out.print(
        f"Checkpoint [bold]{c.id}[/] at {short(c.commit)} ({c.files} file(s), {render.size(c.bytes)})"
    )
    if pruned:
        out.print(f"Retention removed {len(pruned)} old checkpoint(s).")


@checkpoint.command("list")
@json_option
def list_() -> None:
    """Every checkpoint, oldest first."""
    from gitbench.services.checkpoints import list_checkpoints

    result = list_checkpoints(options().bench())
    render.emit(result, "checkpoint list", lambda out: _listing(out, result))


def _listing(out: Console, r: CheckpointList) -> None:
    if not r.checkpoints:
        out.print("No checkpoints yet.")
        return
    grid = render.table("id", "reason", "commit", "files", "size", "description")
    for c in r.checkpoints:
        grid.add_row(
            c.id,
            c.reason,
            short(c.commit),
            str(c.files),
            render.size(c.bytes),
            escape(c.description),
        )
    out.print(grid)


@checkpoint.command("show")
@click.argument("checkpoint_id", metavar="ID")
@json_option
def show(checkpoint_id: str) -> None:
    """Details of one checkpoint."""
    from gitbench.services.checkpoints import show_checkpoint

    result = show_checkpoint(options().bench(), checkpoint_id)
    render.emit(result, "checkpoint show", lambda out: _detail(out, result))


def _detail(out: Console, c: Checkpoint) -> None:
    for label, value in (
        ("id", c.id),
        ("reason", c.reason),
        ("created", c.created_at),
        ("commit", c.commit),
        ("files", str(c.files)),
        ("size", render.size(c.bytes)),
        ("description", c.description),
    ):
        out.print(f"{label:<12}{escape(value)}")


@checkpoint.command("restore")
@click.argument("checkpoint_id", metavar="ID")
@json_option
def restore(checkpoint_id: str) -> None:
    """Make the published files equal the checkpoint's (a new commit; history is kept)."""
    from gitbench.services.checkpoints import restore_checkpoint

    result = restore_checkpoint(options().bench(), checkpoint_id)
    render.emit(result, "checkpoint restore", lambda out: _restored(out, result))


def _restored(out: Console, r: RestoreResult) -> None:
    if r.commit is None:
        out.print(f"main already holds the files of {r.checkpoint}; nothing to do.")
        return
    out.print(
        f"Restored {r.checkpoint}: {r.files_changed} file(s) changed, main at {short(r.commit)}"
    )
    if r.pre_restore:
        out.print(f"Undo with [cyan]gitbench checkpoint restore {r.pre_restore.id}[/]")


COMMANDS = [checkpoint]
