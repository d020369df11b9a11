"""Conventions enforced by tests rather than wiki pages (style.md rule 12)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import click

from gitbench.cli.main import cli

TESTS = Path(__file__).resolve().parent
SNAPSHOT = TESTS / "snapshots" / "cli-help.txt"

# Built from pieces so that this file does not match itself.
_PATCHING = re.compile(
    "mock" + r"\.patch\(\s*['\"]gitbench|monkeypatch" + r"\.setattr\(\s*['\"]?gitbench"
)


def test_tests_never_patch_gitbench() -> None:
    offenders = [
        str(path.relative_to(TESTS))
        for path in TESTS.rglob("*.py")
        if _PATCHING.search(path.read_text())
    ]
    assert offenders == []


def _help_tree(command: click.Command, path: list[str]) -> list[str]:
    ctx = click.Context(command, info_name=" ".join(path), terminal_width=100)
    pages = [f"$ {' '.join(path)} --help\n{command.get_help(ctx)}\n"]
    if isinstance(command, click.Group):
        for name in sorted(command.commands):
            pages.extend(_help_tree(command.commands[name], [*path, name]))
    return pages


def test_help_of_every_command_matches_the_snapshot() -> None:
    """The whole `--help` tree, so that every change to the CLI surface shows in review.
    Regenerate with GITBENCH_UPDATE_SNAPSHOTS=1 after an intended change."""
    text = "\n".join(_help_tree(cli, ["gitbench"]))
    if os.environ.get("GITBENCH_UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.write_text(text)
    assert SNAPSHOT.read_text() == text
