"""chat: an interactive session of workshop turns, with slash commands for the draft.

Each line is a turn (`gitbench ask`), or a command: /model ID, /review, /publish, /undo,
/discard, /status, /help, /quit. Ctrl-C cancels the turn in progress, never the session;
Ctrl-D or /quit ends it. Consent can be given at the prompt for this session only, or for good.
"""

from __future__ import annotations

import click

from gitbench.cli import render
from gitbench.cli.app import json_option, options


@click.command()
@click.option("--model", "model_id", metavar="ID", help="The model to start with (provider:model).")
@click.option(
    "--yes", is_flag=True, help="Consent, for this session only, to sending the files to the model."
)
@json_option
def chat(model_id: str | None, yes: bool) -> None:
    """Talk with the model turn by turn; each change arrives on the draft. /help inside lists
    the commands."""
    from gitbench.cli.chat_session import ChatSession
    from gitbench.config import load_environment
    from gitbench.services.models import ChatResult

    opts = options()
    session = ChatSession(
        wb=opts.bench(),
        env=load_environment(),
        out=render.console(),
        quiet=opts.json,
        model=model_id,
    )
    session.run(grant_first=yes)
    result = ChatResult(
        model=session.model,
        turns=session.turns,
        commands=session.commands,
        failures=session.failures,
    )
    render.emit(result, "chat", lambda _out: None)


COMMANDS = [chat]
