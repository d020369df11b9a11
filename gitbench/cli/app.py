"""The root command group, the shared options (`-C`, `--json`) and the error boundary."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from gitbench import __version__

if TYPE_CHECKING:
    from pathlib import Path

    from gitbench.clock import Clock
    from gitbench.errors import GitbenchError
    from gitbench.store.repo import Workbench

F = TypeVar("F", bound=Callable[..., Any])


class Options:
    """What the root command parsed; commands reach it through the click context.

    A plain class with the directory found on first use: `--help` must not pay for pathlib
    and dataclasses (issue 8's 1.3x of `import click`).
    """

    def __init__(
        self, directory: Path | None = None, json: bool = False, clock: Clock | None = None
    ) -> None:
        self._directory = directory
        self.json = json
        self.clock = clock
        self.opened: Workbench | None = None

    @property
    def directory(self) -> Path:
        if self._directory is None:
            from pathlib import Path

            self._directory = Path.cwd()
        return self._directory

    @directory.setter
    def directory(self, value: Path) -> None:
        self._directory = value

    def under(self, path: str) -> Path:
        """`path` as given on the command line, relative to `-C DIR` (or the current one)."""
        from pathlib import Path

        given = Path(path)
        return given if given.is_absolute() else self.directory / given

    def bench(self) -> Workbench:
        from gitbench.config import load_environment
        from gitbench.services.session import open_bench

        self.opened = open_bench(self.directory, clock=self.clock, env=load_environment())
        return self.opened

    def report_repairs(self) -> None:
        """Say what recovery did (an interrupted operation finished, a stale lock removed)."""
        if self.opened is None or not self.opened.recovered:
            return
        from gitbench.cli import render

        for line in self.opened.recovered:
            render.notice(f"[yellow]gitbench:[/] {render.escape(line)}")
        self.opened.recovered.clear()


def options() -> Options:
    obj = click.get_current_context().find_root().obj
    assert isinstance(obj, Options)
    return obj


def _set_json(ctx: click.Context, _param: click.Parameter, value: bool) -> bool:
    if value:
        root = ctx.find_root()
        if isinstance(root.obj, Options):
            root.obj.json = True
    return value


json_option = click.option(
    "--json",
    "json_output",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_set_json,
    help="Print one JSON document on stdout and nothing else.",
)


def confirm(yes: bool, question: str) -> None:
    """Go on only with --yes or a yes typed at a terminal; USER_CANCELED otherwise."""
    if yes:
        return
    from gitbench.errors import ErrorCode, GitbenchError

    if options().json or not stdin_is_terminal():
        raise GitbenchError(
            ErrorCode.USER_CANCELED,
            "this needs confirmation; run it again with --yes",
            phase="confirm",
        )
    if not click.confirm(question, default=False, err=True):
        raise GitbenchError(
            ErrorCode.USER_CANCELED, "canceled; nothing was changed", phase="confirm"
        )


def stdin_is_terminal() -> bool:
    return sys.stdin.isatty()


def stdin_bytes() -> bytes:
    return sys.stdin.buffer.read()


def write_stdout_bytes(chunks: Iterable[bytes]) -> None:
    stream = sys.stdout.buffer
    for chunk in chunks:
        stream.write(chunk)
    stream.flush()


class GitbenchGroup(click.Group):
    """Renders every GitbenchError the same way, with its stable exit status."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # Known before the subcommand's own options are parsed, so that a malformed command
        # line under --json can still be answered with a JSON document.
        ctx.meta["gitbench.json"] = "--json" in args[: args.index("--") if "--" in args else None]
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as error:
            if not ctx.meta.get("gitbench.json"):
                raise
            _fail_usage(ctx, error)
        except (KeyboardInterrupt, click.exceptions.Abort):
            from gitbench.errors import ErrorCode, GitbenchError

            _fail(ctx, GitbenchError(ErrorCode.USER_CANCELED, "canceled", phase="run"))
        except Exception as error:
            # gitbench.errors is imported only once something failed, so that `--help` does
            # not load it; anything that is not a GitbenchError is a bug and goes on to main().
            from gitbench.errors import GitbenchError

            if not isinstance(error, GitbenchError):
                raise
            _report_repairs(ctx)
            _fail(ctx, error)


def _fail_usage(ctx: click.Context, error: click.UsageError) -> None:
    from gitbench.errors import ErrorCode, GitbenchError

    command = error.ctx.command_path if error.ctx is not None else "gitbench"
    obj = ctx.find_root().obj
    if isinstance(obj, Options):
        obj.json = True
    failure = GitbenchError(
        ErrorCode.USAGE_INVALID,
        f"{error.format_message().rstrip('.')}; see {command} --help",
        phase="usage",
    )
    _fail(ctx, failure)


def _report_repairs(ctx: click.Context) -> None:
    obj = ctx.find_root().obj
    if isinstance(obj, Options):
        obj.report_repairs()


def _fail(ctx: click.Context, error: GitbenchError) -> None:
    from gitbench.cli import render

    obj = ctx.find_root().obj
    render.error(error, as_json=isinstance(obj, Options) and obj.json)
    ctx.exit(int(error.code.exit_status))


@click.group(cls=GitbenchGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "-C",
    "directory",
    type=click.Path(file_okay=False),
    default=None,
    help="Run as if gitbench was started in DIR.",
    metavar="DIR",
)
@json_option
@click.version_option(__version__, prog_name="gitbench")
@click.pass_context
def cli(ctx: click.Context, directory: str | None) -> None:
    """Work on a set of files with an AI model, safely.

    Every workbench is a git repository: `main` holds the published files, `draft` the
    proposed changes; checkpoints are tags and publish is a fast-forward.
    """
    obj = ctx.ensure_object(Options)
    if directory is not None:
        from pathlib import Path

        obj.directory = Path(directory)
    for stream in (sys.stdout, sys.stderr):
        # A file name that is not UTF-8 (from an adopted repository) is shown escaped rather
        # than crashing the command.
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")
    ctx.call_on_close(obj.report_repairs)


def main() -> None:
    """Entry point: unexpected exceptions are bugs, logged with their traceback, exit 3."""
    try:
        cli.main(prog_name="gitbench", obj=Options())
    except SystemExit:
        raise
    except Exception:
        from gitbench.config import load_environment

        if load_environment().debug:
            raise
        from gitbench.cli import render

        log = render.crash_log()
        click.echo(f"gitbench: internal error (a bug); the traceback is in {log}", err=True)
        sys.exit(3)
