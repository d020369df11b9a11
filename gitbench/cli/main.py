"""Assemble the command tree. `gitbench = gitbench.cli.main:main`."""

from __future__ import annotations

from gitbench.cli import (
    chat,
    checkpoints,
    consent,
    conversation,
    drafts,
    files,
    modelcmds,
    workbench,
    workshop,
)
from gitbench.cli.app import cli, main

for module in (
    workbench,
    files,
    drafts,
    checkpoints,
    consent,
    modelcmds,
    workshop,
    chat,
    conversation,
):
    for command in module.COMMANDS:
        cli.add_command(command)

__all__ = ["cli", "main"]
