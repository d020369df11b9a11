"""consent (status, grant, revoke, mode) and egress log: what may leave, and what did."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import click

from gitbench.cli import render
from gitbench.cli.app import confirm, json_option, options
from gitbench.cli.render import escape, short

if TYPE_CHECKING:
    from rich.console import Console

    from gitbench.services.models import (
        ConsentStatus,
        EgressLogResult,
        GrantPlan,
        GrantResult,
        RevokeResult,
    )

# How many file names a person sees before "and N more"; --json always carries them all.
_FILES_SHOWN = 20


@click.group("consent", invoke_without_command=True)
@json_option
@click.pass_context
def consent_group(ctx: click.Context) -> None:
    """What may be sent to which model: grants, confirmed endpoints and the mode."""
    if ctx.invoked_subcommand is not None:
        return
    from gitbench.services.consent import consent_status

    result = consent_status(options().bench())
    render.emit(result, "consent", lambda out: _status(out, result))


def _status(out: Console, r: ConsentStatus) -> None:
    if r.mode == "allow-all":
        out.print("[bold red]Mode       allow-all: every model may receive the files[/]")
    else:
        out.print("Mode       ask")
    out.print(
        f"Scope      {short(r.scope_hash)} ({len(r.files)} file(s), from the {r.scope_source})"
    )
    _file_lines(out, r.files)
    if not r.grants:
        out.print("No consent granted: [cyan]gitbench consent grant --provider P --model ID[/]")
    else:
        grid = render.table("provider", "model", "scope", "kind", "granted")
        for g in r.grants:
            kind = "persisted" if g.persisted else "session-only (next command)"
            scope = short(g.scope_hash) + ("" if g.current_scope else " (old scope)")
            grid.add_row(escape(g.provider), escape(g.model), scope, kind, g.granted_at)
        out.print(grid)
    for e in r.endpoints:
        out.print(
            f"Endpoint   {escape(e.provider)} -> {escape(e.base_url)} (confirmed {e.confirmed_at})"
        )


def _file_lines(out: Console, files: list[str]) -> None:
    for path in files[:_FILES_SHOWN]:
        out.print(f"  {escape(path)}")
    if len(files) > _FILES_SHOWN:
        out.print(f"  ... and {len(files) - _FILES_SHOWN} more ([cyan]gitbench consent --json[/])")


@consent_group.command("grant")
@click.option(
    "--provider", required=True, help="openai, anthropic, google, mistral or a local one."
)
@click.option("--model", "model", required=True, metavar="ID", help="The model id, exactly.")
@click.option(
    "--persist", is_flag=True, help="Keep the grant until revoked (default: next command)."
)
@click.option(
    "--base-url",
    metavar="URL",
    help="Also allow this HTTPS endpoint for the provider (confirmed with the grant).",
)
@click.option("--yes", is_flag=True, help="Do not list the files and ask.")
@json_option
def consent_grant(
    provider: str, model: str, persist: bool, base_url: str | None, yes: bool
) -> None:
    """Allow the files in scope to be sent to one provider and model."""
    from gitbench.services.consent import grant_consent

    def ask(plan: GrantPlan) -> None:
        if not yes and not options().json:
            _plan(render.console(stderr=True), plan)
        confirm(yes, f"Send these {len(plan.files)} file(s) to {plan.provider} / {plan.model}?")

    result = grant_consent(
        options().bench(),
        provider=provider,
        model=model,
        persist=persist,
        base_url=base_url,
        confirm=ask,
    )
    render.emit(result, "consent grant", lambda out: _granted(out, result))


def _plan(out: Console, p: GrantPlan) -> None:
    out.print(f"Provider   {escape(p.provider)} ({escape(p.label)})")
    out.print(f"Model      {escape(p.model)}")
    out.print(f"To         {escape(', '.join(p.hosts))}")
    out.print(f"Scope      {short(p.scope_hash)}: these {len(p.files)} file(s) may be sent")
    _file_lines(out, p.files)


def _granted(out: Console, r: GrantResult) -> None:
    p = r.plan
    lasting = "until revoked" if p.persisted else "for the next command that calls the model"
    out.print(
        f"Granted {escape(p.provider)} / {escape(p.model)} on scope {short(p.scope_hash)} {lasting}"
    )


@consent_group.command("revoke")
@click.option("--provider", help="Only grants for this provider.")
@click.option("--model", "model", metavar="ID", help="Only grants for this model.")
@click.option(
    "--all", "everything", is_flag=True, help="Also forget confirmed base URLs; mode back to ask."
)
@json_option
def consent_revoke(provider: str | None, model: str | None, everything: bool) -> None:
    """Remove grants (all of them unless --provider/--model narrow it)."""
    from gitbench.services.consent import revoke_consent

    result = revoke_consent(
        options().bench(), provider=provider, model=model, everything=everything
    )
    render.emit(result, "consent revoke", lambda out: _revoked(out, result))


def _revoked(out: Console, r: RevokeResult) -> None:
    for g in r.revoked:
        out.print(f"revoked  {escape(g.provider)} / {escape(g.model)} ({short(g.scope_hash)})")
    for e in r.endpoints_forgotten:
        out.print(f"forgot   {escape(e.provider)} -> {escape(e.base_url)}")
    if not r.revoked and not r.endpoints_forgotten:
        out.print("Nothing to revoke.")
    out.print(f"Mode is {r.mode}")


@consent_group.command("mode")
@click.argument("mode", type=click.Choice(["ask", "allow-all"]))
@click.option("--i-understand", is_flag=True, help="Needed for allow-all.")
@json_option
def consent_mode(mode: str, i_understand: bool) -> None:
    """ask (a grant per provider, model and scope) or allow-all."""
    from gitbench.services.consent import set_consent_mode

    chosen: Literal["ask", "allow-all"] = "allow-all" if mode == "allow-all" else "ask"
    result = set_consent_mode(options().bench(), mode=chosen, i_understand=i_understand)
    render.emit(
        result, "consent mode", lambda out: out.print(f"Mode {result.previous} -> {result.mode}")
    )


@click.group("egress")
def egress_group() -> None:
    """What was sent (or refused): the egress log of this workbench."""


@egress_group.command("log")
@json_option
def egress_log_command() -> None:
    """Every request decision: time, provider, model, host, scope, bytes, outcome."""
    from gitbench.services.consent import egress_events

    result = egress_events(options().bench())
    render.emit(result, "egress log", lambda out: _events(out, result))


def _events(out: Console, r: EgressLogResult) -> None:
    if not r.events:
        out.print("No requests recorded.")
        return
    grid = render.table("when", "provider", "model", "host", "scope", "sent", "received", "outcome")
    for e in r.events:
        outcome = e.outcome + (f" ({e.reason})" if e.reason else "")
        outcome += f" {e.status}" if e.status is not None else ""
        cells = (e.provider, e.model, f"{e.host}:{e.port}", short(e.scope_hash))
        grid.add_row(
            e.time,
            *(escape(c) for c in cells),
            str(e.bytes_sent),
            str(e.bytes_received),
            escape(outcome),
        )
    out.print(grid)


COMMANDS = [consent_group, egress_group]
