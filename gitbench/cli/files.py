"""add, rm, ls, show, extract: the published files."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from gitbench.cli import render
from gitbench.cli.app import json_option, options, write_stdout_bytes
from gitbench.cli.render import escape, short

if TYPE_CHECKING:
    from rich.console import Console

    from gitbench.services.models import AddResult, ExtractResult, ListResult


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option(
    "--as", "as_name", metavar="NAME", help="Name for the single file or directory added."
)
@json_option
def add(paths: tuple[str, ...], as_name: str | None) -> None:
    """Copy files and directories into the workbench, as one commit on main."""
    from gitbench.services.files import add_files

    opts = options()
    sources = [opts.under(p) for p in paths]
    with render.progress("Adding") as step:
        result = add_files(opts.bench(), sources, as_name=as_name, progress=step)
    render.emit(result, "add", lambda out: _added(out, result))


def _added(out: Console, r: AddResult) -> None:
    # One print for the whole listing: a rich print per file costs more than the add itself
    # for ten thousand files.
    lines = [f"added    {escape(e.path)}  ({e.kind}, {render.size(e.size)})" for e in r.added]
    lines += [f"updated  {escape(e.path)}  ({e.kind}, {render.size(e.size)})" for e in r.updated]
    lines += [f"same     {escape(path)}" for path in r.unchanged]
    lines += [f"[yellow]skipped  {escape(s.path)}: {escape(s.reason)}[/]" for s in r.skipped]
    lines.append(f"Published as {short(r.commit)}" if r.commit else "Nothing new to publish.")
    # soft_wrap: a listing line is left for the terminal to wrap; rich's own wrapping of ten
    # thousand lines took 0.4 s.
    out.print("\n".join(lines), soft_wrap=True)


@click.command()
@click.argument("paths", nargs=-1, required=True)
@json_option
def rm(paths: tuple[str, ...]) -> None:
    """Remove files or directories from the published files (one commit on main)."""
    from gitbench.services.files import remove_files

    result = remove_files(options().bench(), list(paths))
    render.emit(
        result,
        "rm",
        lambda out: out.print(
            "\n".join(f"removed  {escape(p)}" for p in result.removed)
            + f"\nPublished as {short(result.commit)}"
        ),
    )


@click.command()
@click.option("--draft", is_flag=True, help="List the draft's files instead of the published ones.")
@json_option
def ls(draft: bool) -> None:
    """List files with their kind (text or opaque), size and blob id."""
    from gitbench.services.files import list_files

    result = list_files(options().bench(), draft=draft)
    render.emit(result, "ls", lambda out: _listing(out, result))


def _listing(out: Console, r: ListResult) -> None:
    grid = render.table("path", "kind", "size", "blob")
    for f in r.files:
        grid.add_row(escape(f.path), f.kind, render.size(f.size), short(f.blob))
    out.print(grid)
    total = sum(f.size for f in r.files)
    out.print(f"{len(r.files)} file(s), {render.size(total)} in {r.ref} ({short(r.commit)})")


@click.command()
@click.argument("path")
@click.option("--draft", is_flag=True, help="Show the draft's version of the file.")
@json_option
def show(path: str, draft: bool) -> None:
    """Write the bytes of PATH to stdout."""
    from gitbench.services.files import show_file

    content = show_file(options().bench(), path, draft=draft)
    if options().json:
        import base64
        import json

        data = b"".join(content.chunks)
        body = content.entry.model_dump(mode="json")
        if content.entry.kind == "text":
            body["content"] = data.decode("utf-8")
        else:
            body["content_base64"] = base64.b64encode(data).decode("ascii")
        click.echo(
            json.dumps(
                {"ok": True, "command": "show", "result": body}, indent=2, ensure_ascii=False
            )
        )
        return
    write_stdout_bytes(content.chunks)


@click.command()
@click.argument("paths", nargs=-1)
@click.option(
    "--to",
    "to",
    required=True,
    type=click.Path(file_okay=False),
    help="Directory to copy the files into (created if needed).",
)
@json_option
def extract(paths: tuple[str, ...], to: str) -> None:
    """Copy published files out of the workbench, never overwriting anything."""
    from gitbench.services.files import extract_files

    opts = options()
    result = extract_files(opts.bench(), list(paths), opts.under(to))
    render.emit(result, "extract", lambda out: _extracted(out, result))


def _extracted(out: Console, r: ExtractResult) -> None:
    for f in r.files:
        out.print(f"{escape(f.path)} -> {escape(f.written_to)}")
    out.print(f"{len(r.files)} file(s) extracted to {escape(r.to)}")


COMMANDS = [add, rm, ls, show, extract]
