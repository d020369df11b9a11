"""conversation, clutter."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from gitbench.cli import render
from gitbench.cli.app import json_option, options
from gitbench.cli.render import escape

if TYPE_CHECKING:
    from rich.console import Console

    from gitbench.services.models import ClutterResult, ConversationResult


@click.command()
@json_option
def conversation() -> None:
    """The saved conversation: messages and events (refs/gitbench/conversation)."""
    from gitbench.services.conversation import show_conversation

    result = show_conversation(options().bench())
    render.emit(result, "conversation", lambda out: _conversation(out, result))


def _conversation(out: Console, r: ConversationResult) -> None:
    if not r.entries:
        out.print("No conversation yet ([cyan]gitbench ask MESSAGE[/] starts one).")
        return
    for entry in r.entries:
        line = f"{entry.at}  {entry.kind:<9}  {escape(entry.text)}"
        out.print(f"[dim]{line}[/]" if entry.kind == "event" else line)


@click.command()
@click.option("--model", "model_id", metavar="ID", help="Measure for this model (provider:model).")
@json_option
def clutter(model_id: str | None) -> None:
    """How full the workbench is for the model's context window."""
    from gitbench.services.clutter import workbench_clutter

    result = workbench_clutter(options().bench(), override=model_id)
    render.emit(result, "clutter", lambda out: _clutter(out, result))


def _clutter(out: Console, r: ClutterResult) -> None:
    colour = {"light": "green", "moderate": "yellow", "heavy": "red"}[r.level]
    out.print(f"Clutter  [{colour}]{escape(r.bar())}[/]")
    out.print(
        f"         {r.files} file(s), {r.conversation_chars:,} conversation character(s), "
        f"model {escape(r.model or 'none')}"
    )
    if r.note:
        out.print(f"[dim]         {escape(r.note)}[/]")
    if r.warning:
        out.print(f"[bold red]{escape(r.warning)}[/]")


COMMANDS = [conversation, clutter]
