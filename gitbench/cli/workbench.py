"""init, status, delete, config, failures, hooks."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from gitbench.cli import render
from gitbench.cli.app import confirm, json_option, options
from gitbench.cli.render import escape, short

if TYPE_CHECKING:
    from rich.console import Console

    from gitbench.services.models import (
        DoctorResult,
        FailureList,
        HooksResult,
        InitResult,
        SettingList,
        SettingValue,
        StatusResult,
    )


@click.command()
@click.argument("directory", required=False, type=click.Path(file_okay=False))
@click.option(
    "--adopt",
    is_flag=True,
    help="Make an existing git repository (with a main branch) a workbench.",
)
@json_option
def init(directory: str | None, adopt: bool) -> None:
    """Create a workbench in DIRECTORY (default: the current directory)."""
    from gitbench.config import load_environment
    from gitbench.services.workbench import init_workbench

    opts = options()
    root = opts.under(directory) if directory else opts.directory
    result = init_workbench(root, adopt=adopt, clock=opts.clock, env=load_environment())
    render.emit(result, "init", lambda out: _init(out, result))


def _init(out: Console, r: InitResult) -> None:
    verb = "Adopted" if r.adopted else "Created"
    out.print(f"{verb} workbench [bold]{escape(r.root)}[/] (main at {short(r.main)})")
    if r.hooks:
        out.print(f"Hooks installed: {', '.join(r.hooks)}")
    out.print(
        "Next: [cyan]gitbench add FILE...[/] to publish files, then [cyan]gitbench put[/] to draft."
    )


@click.command()
@json_option
def status() -> None:
    """Published tip, draft, checkpoints and local changes."""
    from gitbench.services.workbench import status as status_of

    result = status_of(options().bench())
    render.emit(result, "status", lambda out: _status(out, result))


def _status(out: Console, r: StatusResult) -> None:
    out.print(f"Workbench  {escape(r.root)}")
    out.print(f"Published  {short(r.main)}  {escape(r.main_subject)}")
    _draft_lines(out, r)
    out.print(f"Checkpoints {r.checkpoints}")
    _model_lines(out, r)
    if r.head not in ("refs/heads/main", "refs/heads/draft"):
        out.print(f"[yellow]HEAD is {r.head or 'detached'}; gitbench expects main checked out[/]")
    if r.local_changes:
        out.print(
            f"[yellow]Local changes ({len(r.local_changes)}):[/] "
            + escape(", ".join(r.local_changes[:10]))
        )
    else:
        out.print("Working tree clean")
    if r.failures:
        out.print(f"Failures   {r.failures} recorded ([cyan]gitbench failures[/])")


def _draft_lines(out: Console, r: StatusResult) -> None:
    d = r.draft
    if d is None:
        out.print("Draft      none")
    else:
        age = _age(d.age_seconds)
        out.print(
            f"Draft      {short(d.tip)}: {d.commits} commit(s), {d.files_changed} file(s) changed, {age} old"
        )
        if not d.based_on_main:
            out.print(
                "[red]           main moved since this draft was made: it cannot be published[/]"
            )
        if d.reminder == "warn":
            out.print(f"[bold red]           this draft is {age} old: publish or discard it[/]")
        elif d.reminder == "remind":
            out.print(f"[yellow]           reminder: this draft is {age} old[/]")
        out.print(
            "           [cyan]gitbench review[/] · [cyan]gitbench publish[/] · [cyan]gitbench discard --yes[/]"
        )


def _model_lines(out: Console, r: StatusResult) -> None:
    if r.clutter is not None:
        out.print(f"Clutter    {escape(r.clutter.bar())}")
        if r.clutter.warning:
            out.print(f"[yellow]           {escape(r.clutter.warning)}[/]")
    if r.consent_mode == "allow-all":
        out.print(
            "[bold red]Consent    allow-all: model calls need no consent (gitbench consent mode ask)[/]"
        )
    if r.model is not None:
        chosen = r.model.id or "none (gitbench model default ID)"
        out.print(
            f"Model      {escape(chosen)}" + (f" (from {r.model.source})" if r.model.id else "")
        )


def _age(seconds: int) -> str:
    if seconds < 3600:
        return f"{seconds // 60} min"
    if seconds < 86_400:
        return f"{seconds // 3600} h"
    return f"{seconds // 86_400} d"


@click.command()
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@json_option
def delete(yes: bool) -> None:
    """Delete the workbench directory and everything in it."""
    from gitbench.services.workbench import delete_workbench

    wb = options().bench()
    confirm(yes, f"Delete {wb.root} and all its history?")
    result = delete_workbench(wb)
    render.emit(result, "delete", lambda out: out.print(f"Deleted {escape(result.root)}"))


@click.group("config")
def config_group() -> None:
    """Workbench settings (the [gitbench] section of the repository's git config)."""


@config_group.command("get")
@click.argument("key")
@json_option
def config_get(key: str) -> None:
    """Print the value of KEY."""
    from gitbench.services.settings import get_setting

    result = get_setting(options().bench(), key)
    render.emit(
        result,
        "config get",
        lambda out: out.print(
            str(result.value).lower() if isinstance(result.value, bool) else str(result.value)
        ),
    )


@config_group.command("set")
@click.argument("key")
@click.argument("value")
@json_option
def config_set(key: str, value: str) -> None:
    """Validate and store VALUE for KEY."""
    from gitbench.services.settings import set_setting

    result = set_setting(options().bench(), key, value)
    render.emit(result, "config set", lambda out: _setting_line(out, result))


@config_group.command("unset")
@click.argument("key")
@json_option
def config_unset(key: str) -> None:
    """Return KEY to its default."""
    from gitbench.services.settings import unset_setting

    result = unset_setting(options().bench(), key)
    render.emit(result, "config unset", lambda out: _setting_line(out, result))


@config_group.command("list")
@json_option
def config_list() -> None:
    """Every setting with its value and default."""
    from gitbench.services.settings import list_settings

    result = list_settings(options().bench())
    render.emit(result, "config list", lambda out: _settings(out, result))


def _setting_line(out: Console, s: SettingValue) -> None:
    out.print(f"{s.key} = {s.value}" + ("" if not s.is_default else " (default)"))


def _settings(out: Console, r: SettingList) -> None:
    grid = render.table("key", "value", "default", "meaning")
    for s in r.settings:
        grid.add_row(s.key, str(s.value), str(s.default), s.help)
    out.print(grid)


@click.command()
@json_option
def failures() -> None:
    """Failure artifacts recorded as git notes (refs/notes/gitbench/failures)."""
    from gitbench.services.failures import list_failures

    result = list_failures(options().bench())
    render.emit(result, "failures", lambda out: _failures(out, result))


def _failures(out: Console, r: FailureList) -> None:
    if not r.failures:
        out.print("No failures recorded.")
        return
    grid = render.table("when", "commit", "command", "code", "phase", "message")
    for f in r.failures:
        cells = (f.created_at or "-", short(f.commit), f.command or "-", f.code, f.phase, f.message)
        grid.add_row(*(escape(cell) for cell in cells))
    out.print(grid)


@click.group("hooks")
def hooks_group() -> None:
    """The git hooks that make plain git respect the draft-only rules."""


@hooks_group.command("install")
@json_option
def hooks_install() -> None:
    """Install or repair the hooks."""
    from gitbench.services.hooks import install_hooks

    result = install_hooks(options().bench())
    render.emit(result, "hooks install", lambda out: _hooks(out, result))


@hooks_group.command("status")
@json_option
def hooks_status() -> None:
    """Which hooks are active; warns when they are missing or bypassed."""
    from gitbench.services.hooks import hooks_status as status_of

    result = status_of(options().bench())
    render.emit(result, "hooks status", lambda out: _hooks(out, result))


def _hooks(out: Console, r: HooksResult) -> None:
    for hook in r.hooks:
        state = "active" if hook.current else ("out of date" if hook.installed else "missing")
        mark = "[green]✓[/]" if hook.current else "[red]✗[/]"
        out.print(
            f"{mark} {hook.name}: {state}" + (" (repaired)" if hook.name in r.repaired else "")
        )
    for warning in r.warnings:
        out.print(f"[yellow]warning:[/] {escape(warning)}")
    if r.warnings:
        out.print("Repair with [cyan]gitbench hooks install[/]")


@click.command()
@json_option
def doctor() -> None:
    """Repair what a crash left behind, then verify every invariant (exit 4 if one fails)."""
    from gitbench.services.doctor import doctor as run_doctor

    result = run_doctor(options().bench())
    render.emit(result, "doctor", lambda out: _doctor(out, result))
    if not result.healthy:
        from gitbench.errors import ExitStatus

        raise SystemExit(int(ExitStatus.REFUSED))


def _doctor(out: Console, r: DoctorResult) -> None:
    for line in r.repaired:
        out.print(f"[yellow]repaired:[/] {escape(line)}")
    for check in r.checks:
        mark = "[green]✓[/]" if check.ok else "[red]✗[/]"
        out.print(f"{mark} {escape(check.name)}: {escape(check.detail)}")
    if r.recent_recoveries:
        out.print("Recent recoveries:")
        for line in r.recent_recoveries:
            out.print(f"  {escape(line)}")
    out.print("Healthy." if r.healthy else "[red]Some invariants do not hold (see above).[/]")


COMMANDS = [init, status, delete, config_group, failures, hooks_group, doctor]
