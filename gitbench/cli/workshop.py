"""ask, draft undo: working with a model."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from gitbench.cli import render
from gitbench.cli.app import json_option, options
from gitbench.cli.render import escape, short

if TYPE_CHECKING:
    from rich.console import Console

    from gitbench.services.models import AskResult, UndoTurnResult


@click.command()
@click.argument("message")
@click.option("--model", "model_id", metavar="ID", help="The model for this turn (provider:model).")
@click.option(
    "--yes", is_flag=True, help="Consent, for this command only, to sending the files to the model."
)
@click.option(
    "--only",
    multiple=True,
    metavar="PATH",
    help="Send only these files or directories (repeatable).",
)
@click.option(
    "--exclude",
    multiple=True,
    metavar="PATH",
    help="Leave these files or directories out (repeatable).",
)
@json_option
def ask(
    message: str, model_id: str | None, yes: bool, only: tuple[str, ...], exclude: tuple[str, ...]
) -> None:
    """Ask the model; its file changes arrive as one commit on the draft, ready for review."""
    from gitbench.config import load_environment
    from gitbench.services.workshop import ask as run_turn

    opts = options()
    out = render.console()
    streamed: list[str] = []

    def show(text: str) -> None:
        if not opts.json:
            streamed.append(text)
            out.print(text, end="", markup=False, highlight=False)

    try:
        result = run_turn(
            opts.bench(),
            message,
            env=load_environment(),
            model_override=model_id,
            grant_for_session=yes,
            only=only,
            exclude=exclude,
            on_text=show,
        )
    finally:
        if streamed:
            out.print()  # end the streamed reply's line, whatever happens next
    render.emit(result, "ask", lambda o: _asked(o, result))


def _asked(out: Console, r: AskResult) -> None:
    label = " (local, no egress)" if r.local else ""
    spent = "" if r.cost_usd is None else f", about ${r.cost_usd:.4f}"
    out.print(f"[dim]{r.model}{label}: {r.input_tokens} tokens in, {r.output_tokens} out{spent}[/]")
    if r.status == "no_changes":
        out.print("No file changes.")
        return
    retried = " after one retry" if r.attempts > 1 else ""
    out.print(f"The draft has a new commit {short(r.commit)}{retried}.")
    out.print(
        "Next: [cyan]gitbench review[/] · [cyan]gitbench publish[/] · [cyan]gitbench draft undo[/] · [cyan]gitbench discard --yes[/]"
    )


@click.group("draft")
def draft() -> None:
    """The draft's history."""


@draft.command("undo")
@json_option
def undo() -> None:
    """Drop the draft's last commit (it stays recoverable: see the output)."""
    from gitbench.services.drafts import undo_last_commit

    result = undo_last_commit(options().bench())
    render.emit(result, "draft undo", lambda out: _undone(out, result))


def _undone(out: Console, r: UndoTurnResult) -> None:
    if r.saved_as:
        out.print(
            f"Dropped {short(r.dropped)}: it was the draft's only commit, so the draft is gone."
        )
        out.print("Bring it back with [cyan]gitbench discard --undo[/]")
    else:
        out.print(
            f"Dropped {short(r.dropped)}; the draft is at {short(r.tip)} ({escape(r.subject)})."
        )
        out.print(
            f"The dropped commit stays in the reflog: [cyan]git reflog draft[/] ({short(r.dropped)})"
        )


COMMANDS = [ask, draft]
