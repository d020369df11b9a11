"""ask, draft undo: working with a model."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from gitbench.cli import render
from gitbench.cli.app import json_option, options
from gitbench.cli.render import escape, short

if TYPE_CHECKING:
    from rich.console import Console

    from gitbench.services.models import AskResult, ClutterResult, ReviewResult, UndoTurnResult


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
    stream = TurnStream(render.console(), quiet=opts.json)
    try:
        result = run_turn(
            opts.bench(),
            message,
            env=load_environment(),
            model_override=model_id,
            grant_for_session=yes,
            only=only,
            exclude=exclude,
            on_text=stream.text,
            on_tool=stream.tool,
        )
    finally:
        stream.close()
    render.emit(result, "ask", lambda o: show_turn(o, result))


class TurnStream:
    """The model's reply printed as it arrives, and each read-tool call on a line of its own."""

    def __init__(self, out: Console, *, quiet: bool) -> None:
        self._out = out
        self._quiet = quiet
        self._open = False  # a streamed line waits for its newline

    def text(self, text: str) -> None:
        if not self._quiet:
            self._out.print(text, end="", markup=False, highlight=False)
            self._open = not text.endswith("\n")

    def tool(self, line: str) -> None:
        if not self._quiet:
            self.close()
            self._out.print(f"[dim]· {escape(line)}[/]")

    def close(self) -> None:
        if self._open:
            self._out.print()  # end the streamed reply's line, whatever happens next
            self._open = False


NEXT = (
    "Next: [cyan]gitbench review[/] · [cyan]gitbench publish[/] · [cyan]gitbench draft undo[/]"
    " · [cyan]gitbench discard --yes[/]"
)


def show_turn(out: Console, r: AskResult, next_line: str = NEXT) -> None:
    """After a turn: its cost, what it did to the draft, the draft's files, the clutter."""
    label = " (local, no egress)" if r.local else ""
    spent = "" if r.cost_usd is None else f", about ${r.cost_usd:.4f}"
    tools = f", {r.tool_calls} tool calls" if r.tool_calls else ""
    out.print(
        f"[dim]{r.model}{label}: {r.input_tokens} tokens in, {r.output_tokens} out{spent}{tools}[/]"
    )
    if r.status == "no_changes":
        out.print("No file changes.")
    else:
        retried = " after one retry" if r.attempts > 1 else ""
        out.print(f"The draft has a new commit {short(r.commit)}{retried}.")
    if r.draft is not None:
        _draft_summary(out, r.draft)
        out.print(next_line)
    clutter_line(out, r.clutter)


def _draft_summary(out: Console, d: ReviewResult) -> None:
    out.print(f"Draft: {len(d.files)} file(s) changed, +{d.additions} -{d.deletions}")
    for f in d.files[:10]:
        out.print(f"  {f.status:<8} {escape(f.path)} [dim](+{f.additions} -{f.deletions})[/]")
    if len(d.files) > 10:
        out.print(f"  [dim]... and {len(d.files) - 10} more[/]")


def clutter_line(out: Console, c: ClutterResult) -> None:
    out.print(f"[dim]Clutter {escape(c.bar())}[/]")
    if c.warning:
        out.print(f"[yellow]{escape(c.warning)}[/]")


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
