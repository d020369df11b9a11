"""put, review, diff, publish, discard: working with the draft."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from gitbench.cli import render
from gitbench.cli.app import confirm, json_option, options, stdin_bytes, stdin_is_terminal
from gitbench.cli.render import escape, short

if TYPE_CHECKING:
    from rich.console import Console

    from gitbench.services.models import ApplyResult, PublishResult, PutResult, ReviewResult


@click.command()
@click.argument("path")
@click.option(
    "--from",
    "source",
    default="-",
    show_default=True,
    metavar="FILE|-",
    help="Where the new content comes from ('-' reads stdin).",
)
@click.option("--delete", "delete_", is_flag=True, help="Delete PATH in the draft instead.")
@json_option
def put(path: str, source: str, delete_: bool) -> None:
    """Write a file into the draft (created from main on first write), as one commit."""
    from gitbench.services.drafts import put_file

    content = None if delete_ else _read_source(source)
    result = put_file(options().bench(), path, content)
    render.emit(result, "put", lambda out: _put(out, result))


def _read_source(source: str) -> bytes:
    if source == "-":
        return stdin_bytes()
    path = options().under(source)
    try:
        return path.read_bytes()
    except OSError as exc:
        from gitbench.errors import ErrorCode, GitbenchError

        raise GitbenchError(
            ErrorCode.FILE_READ_FAILED,
            f"cannot read {source}: {exc.strerror}",
            phase="read_input",
            detail={"path": source},
        ) from exc


def _put(out: Console, r: PutResult) -> None:
    if r.action == "unchanged":
        out.print(f"{escape(r.path)} unchanged; no commit.")
        return
    created = " (draft created from main)" if r.draft_created else ""
    out.print(f"{r.action} {escape(r.path)} in the draft at {short(r.commit)}{created}")


@click.command()
@click.option(
    "--patch/--no-patch",
    "with_patches",
    default=None,
    help="Include diffs (default: on for people, off for --json).",
)
@json_option
def review(with_patches: bool | None) -> None:
    """The draft's changes against main: per file status, line counts and diffs."""
    from gitbench.services.review import review as review_draft

    patches = (not options().json) if with_patches is None else with_patches
    result = review_draft(options().bench(), with_patches=patches)
    render.emit(result, "review", lambda out: _review(out, result))


def _review(out: Console, r: ReviewResult) -> None:
    from rich.syntax import Syntax

    out.print(
        f"Draft {short(r.draft)} against main {short(r.main)}: {len(r.files)} file(s), +{r.additions} -{r.deletions}"
    )
    grid = render.table("status", "path", "kind", "+", "-", "size")
    for f in r.files:
        name = f"{f.old_path} → {f.path}" if f.old_path else f.path
        grid.add_row(
            f.status,
            escape(name),
            f.kind,
            str(f.additions),
            str(f.deletions),
            render.size(f.new_size),
        )
    out.print(grid)
    for f in r.files:
        if f.patch:
            out.print(
                Syntax(
                    f.patch, "diff", theme="ansi_dark", background_color="default", word_wrap=True
                )
            )
        elif f.kind == "opaque":
            out.print(
                f"[dim]{escape(f.path)}: opaque, {render.size(f.old_size)} → {render.size(f.new_size)}, "
                f"blob {short(f.old_blob)} → {short(f.new_blob)}[/]"
            )
    out.print("Next: [cyan]gitbench publish[/] or [cyan]gitbench discard --yes[/]")


@click.command()
@click.argument("paths", nargs=-1)
@json_option
def diff(paths: tuple[str, ...]) -> None:
    """Plain unified diff of main → draft (the same as `git diff main draft`)."""
    from gitbench.services.review import diff_draft

    result = diff_draft(options().bench(), list(paths))
    if options().json:
        render.emit(result, "diff", lambda _out: None)
    else:
        sys.stdout.write(result.patch)
        sys.stdout.flush()


@click.command()
@click.option("-m", "--message", help="Why this is published (kept in the publish checkpoint).")
@click.option(
    "--confirm-delete",
    "confirmed",
    multiple=True,
    metavar="PATH",
    help="Confirm that the draft may delete PATH (repeatable).",
)
@click.option("--yes", is_flag=True, help="Confirm every deletion without asking.")
@json_option
def publish(message: str | None, confirmed: tuple[str, ...], yes: bool) -> None:
    """Fast-forward main to the draft, after a checkpoint of the old main."""
    from gitbench.services.publish import publish as publish_draft

    def confirm_deletions(deleted: list[str]) -> bool:
        if yes or set(deleted) <= set(confirmed):
            return True
        if options().json or not stdin_is_terminal():
            return False
        listing = "\n".join(f"  {p}" for p in deleted)
        return click.confirm(f"The draft deletes:\n{listing}\nPublish these deletions?", err=True)

    with render.progress("Publishing") as step:
        result = publish_draft(
            options().bench(), message=message, confirm_deletions=confirm_deletions, progress=step
        )
    render.emit(result, "publish", lambda out: _published(out, result))


def _published(out: Console, r: PublishResult) -> None:
    out.print(
        f"Published {short(r.published)} ({r.files_changed} file(s) changed); main was {short(r.previous)}"
    )
    for path in r.deleted:
        out.print(f"  deleted {escape(path)}")
    out.print(f"Undo with [cyan]gitbench checkpoint restore {r.checkpoint.id}[/]")


@click.command()
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--undo", is_flag=True, help="Bring back the most recently discarded draft.")
@json_option
def discard(yes: bool, undo: bool) -> None:
    """Delete the draft (it stays recoverable with --undo)."""
    from gitbench.services.drafts import discard as discard_draft
    from gitbench.services.drafts import undo_discard

    wb = options().bench()
    if undo:
        restored = undo_discard(wb)
        render.emit(
            restored, "discard", lambda out: out.print(f"Draft {short(restored.tip)} is back.")
        )
        return
    confirm(yes, "Discard the draft?")
    result = discard_draft(wb)
    render.emit(
        result,
        "discard",
        lambda out: out.print(
            f"Discarded draft {short(result.tip)}; undo with [cyan]gitbench discard --undo[/]"
        ),
    )


@click.command("apply")
@click.argument("source", metavar="FILE|-")
@click.option("--model", default="person", show_default=True, help="Recorded as Gitbench-Model.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "blocks", "udiff", "auto"]),
    default="auto",
    show_default=True,
    help="The document's format: JSON, SEARCH/REPLACE blocks or a unified diff (auto detects).",
)
@json_option
def apply_(source: str, model: str, fmt: str) -> None:
    """Apply an edit document (JSON model response, SEARCH/REPLACE blocks or a unified diff) to
    the draft, through the same guarded pipeline as a model's edits: one commit, or nothing."""
    from gitbench.services.proposals import apply_document

    result = apply_document(options().bench(), _read_source(source), model=model, fmt=fmt)
    render.emit(result, "apply", lambda out: _applied(out, result))


def _applied(out: Console, r: ApplyResult) -> None:
    if r.status == "noop":
        out.print("No change: every file would stay byte-identical; nothing committed.")
        return
    for f in r.files:
        out.print(f"{f.action:<7} {escape(f.path)}  +{f.lines_added} -{f.lines_removed}")
    out.print(
        f"Draft at {short(r.commit)} (proposal {r.proposal_id[:12]}). Next: [cyan]gitbench review[/]"
    )


COMMANDS = [put, review, diff, publish, discard, apply_]
