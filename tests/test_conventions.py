"""Conventions enforced by tests rather than wiki pages (style.md rule 12)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import click

from gitbench.cli.main import cli
from tests.support.docgen import replace_between, result_models_markdown, settings_markdown

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
    # The same help options a real invocation gets (click caches the help option per command).
    ctx = click.Context(
        command, info_name=" ".join(path), terminal_width=100, help_option_names=["-h", "--help"]
    )
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


DOCS = TESTS.parent / "docs"


def _check_generated(doc: str, marker: str, body: str) -> None:
    path = DOCS / doc
    text = path.read_text()
    expected = replace_between(text, marker, body)
    if os.environ.get("GITBENCH_UPDATE_SNAPSHOTS") == "1":
        path.write_text(expected)
    assert text == expected, f"docs/{doc} is out of date; run with GITBENCH_UPDATE_SNAPSHOTS=1"


def test_json_shapes_in_docs_match_the_result_models() -> None:
    _check_generated("json.md", "models", result_models_markdown())


def test_settings_in_docs_match_the_registry() -> None:
    _check_generated("settings.md", "settings", settings_markdown())
