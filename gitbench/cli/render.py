"""Output: one JSON document with `--json`, otherwise rich text (plain when piped, NO_COLOR).

Human output goes to stdout; errors, progress and notices go to stderr, so piping a command's
output never mixes in chatter.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import click

# json, traceback, datetime, pathlib and gitbench.errors are imported where they are used:
# every command imports this module, and `gitbench --help` must stay within 1.3x of
# `import click` (issue 8).
if TYPE_CHECKING:
    from pathlib import Path

    from _typeshed import DataclassInstance
    from pydantic import BaseModel
    from rich.console import Console

    from gitbench.errors import GitbenchError


PIPE_WIDTH = 240


def console(stderr: bool = False) -> Console:
    from rich.console import Console

    # highlight=False: rich would otherwise colour numbers and paths in our sentences.
    out = Console(stderr=stderr, highlight=False, soft_wrap=False)
    if not out.is_terminal:
        # Piped: never fold table cells to an imagined 80 columns; a reader or a script gets
        # whole lines.
        out = Console(stderr=stderr, highlight=False, soft_wrap=False, width=PIPE_WIDTH)
    return out


def emit(
    result: BaseModel | DataclassInstance, command: str, human: Callable[[Console], None]
) -> None:
    """Print `result` as the command's JSON document, or through `human`."""
    from gitbench.cli.app import options

    if options().json:
        import json

        document = {"ok": True, "command": command, "result": _plain(result)}
        click.echo(json.dumps(document, indent=2, ensure_ascii=False))
    else:
        human(console())


def _plain(result: BaseModel | DataclassInstance) -> Any:
    # Most results are pydantic models; a few are dataclasses so that their command need not
    # import pydantic (issue 8). Both come out as the same JSON types.
    import dataclasses

    if dataclasses.is_dataclass(result):
        return dataclasses.asdict(result)
    return result.model_dump(mode="json")


def error(err: GitbenchError, as_json: bool) -> None:
    import json

    from gitbench.errors import ACTION_COMMANDS

    if as_json:
        click.echo(json.dumps({"ok": False, "error": err.to_dict()}, indent=2, ensure_ascii=False))
        return
    out = console(stderr=True)
    out.print(f"[bold red]error[/] [red]{err.code.value}[/]: {escape(err.message)}")
    out.print(f"  [dim]phase:[/] {err.phase}" + (f" / {err.subphase}" if err.subphase else ""))
    for line in _diagnostics(err):
        out.print(f"  [yellow]-[/] {escape(line)}")
    hint = err.detail.get("hint")
    commands = [ACTION_COMMANDS[a] for a in err.actions] + ([str(hint)] if hint else [])
    for command in dict.fromkeys(commands):
        out.print(f"  [dim]next:[/] [cyan]{escape(command)}[/]")


def _diagnostics(err: GitbenchError) -> list[str]:
    """One line per failed check of a rejected edit: reason, file:line, excerpt if enabled."""
    found = err.detail.get("diagnostics")
    if not isinstance(found, list):
        return []
    lines = []
    for item in found:
        if not isinstance(item, dict):
            continue
        where = f"{item.get('path') or err.detail.get('path') or ''}:{item.get('line', '')}".strip(
            ":"
        )
        check = item.get("check") or err.subphase or ""
        excerpt = f"  {item['excerpt']!r}" if item.get("excerpt") else ""
        lines.append(f"{check} {where}{excerpt}".strip())
    return lines


def notice(message: str) -> None:
    """A line for the person, on stderr; silent in --json mode."""
    from gitbench.cli.app import options

    if not options().json:
        console(stderr=True).print(message)


@contextmanager
def progress(title: str) -> Iterator[Callable[[str], None]]:
    """Report the phases of a long operation on stderr (a spinner on a terminal)."""
    from gitbench.cli.app import options

    out = console(stderr=True)
    if options().json or not out.is_terminal:
        yield lambda _phase: None
        return
    with out.status(title) as status:
        yield lambda phase: status.update(f"{title}: {phase}")


def table(*columns: str) -> Any:
    from rich import box
    from rich.table import Table

    plain = not console().is_terminal
    grid = Table(box=None if plain else box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    for column in columns:
        grid.add_column(
            column,
            justify="right" if column in _NUMERIC else "left",
            # Ids and paths are copied into the next command: never cut them.
            no_wrap=column in _WHOLE,
            overflow="fold",
        )
    return grid


_NUMERIC = frozenset({"size", "+", "-", "files"})
_WHOLE = frozenset({"id", "path", "commit", "blob", "when", "code", "key"})


def size(n: int) -> str:
    step = 1024.0
    value = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < step or unit == "GiB":
            return f"{int(value)} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= step
    return f"{n} B"  # pragma: no cover - the loop always returns


def short(oid: str | None) -> str:
    return oid[:12] if oid else "-"


def escape(text: str) -> str:
    from rich.markup import escape as rich_escape

    return rich_escape(text)


def crash_log() -> Path:
    """Write the current exception's traceback where a person can attach it to a bug report."""
    import traceback
    from datetime import UTC, datetime
    from pathlib import Path

    folder = Path.home() / ".cache" / "gitbench"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"crash-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}.log"
    path.write_text("".join(traceback.format_exception(*sys.exc_info())))
    return path
