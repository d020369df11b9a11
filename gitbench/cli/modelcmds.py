"""models, model default, providers: which models exist and how to reach them."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from gitbench.cli import render
from gitbench.cli.app import json_option, options, stdin_bytes, stdin_is_terminal
from gitbench.cli.render import escape

if TYPE_CHECKING:
    from rich.console import Console

    from gitbench.services.models import ModelList, ProviderList, ProviderRow


@click.command()
@json_option
def models() -> None:
    """Known models, with context window, price, and whether each is usable now."""
    from gitbench.config import load_environment
    from gitbench.services.model_choice import list_models

    result = list_models(load_environment())
    render.emit(result, "models", lambda out: _models(out, result))


def _models(out: Console, r: ModelList) -> None:
    grid = render.table("id", "name", "context", "$/M in", "$/M out", "usable")
    for m in r.models:
        price_in = "-" if m.price_in is None else f"{m.price_in:g}"
        price_out = "-" if m.price_out is None else f"{m.price_out:g}"
        usable = "yes" if m.usable else f"no: {m.why_not}"
        grid.add_row(m.id, m.display, f"{m.context_window:,}", price_in, price_out, escape(usable))
    out.print(grid)
    out.print(f"Default: {r.default or 'none'} (gitbench model default ID)")


@click.group("model")
def model() -> None:
    """The default model."""


@model.command("default")
@click.argument("model_id", metavar="ID", required=False)
@click.option("--workbench", is_flag=True, help="Set it for this workbench only.")
@json_option
def model_default(model_id: str | None, workbench: bool) -> None:
    """Show the model commands use, or set the default (yours, or with --workbench this one's)."""
    from gitbench.services.model_choice import effective_model, set_default_model

    opts = options()
    if model_id is None:
        wb = opts.bench() if workbench else None
        result = effective_model(wb)
    else:
        result = set_default_model(model_id, opts.bench() if workbench else None)
    render.emit(
        result,
        "model default",
        lambda out: out.print(f"{result.id or 'none'} (from {result.source})"),
    )


@model.command("format")
@click.argument("model_id", metavar="ID")
@click.argument(
    "fmt", metavar="FORMAT", required=False, type=click.Choice(["json", "blocks", "udiff", "auto"])
)
@json_option
def model_format(model_id: str, fmt: str | None) -> None:
    """Show or set how `ask` asks model ID for edits (edits.format: json, blocks, udiff, auto)."""
    from gitbench.services.model_choice import edit_format, set_edit_format
    from gitbench.services.models import ModelFormat

    result = (
        set_edit_format(model_id, fmt)
        if fmt
        else ModelFormat(model=model_id, format=edit_format(model_id))
    )
    render.emit(result, "model format", lambda out: out.print(f"{result.model}: {result.format}"))


@click.group("providers", invoke_without_command=True)
@json_option
@click.pass_context
def providers(ctx: click.Context) -> None:
    """Model providers: keys, endpoints, enabled or not."""
    if ctx.invoked_subcommand is not None:
        return
    from gitbench.config import load_environment
    from gitbench.services.model_choice import list_providers

    result = list_providers(load_environment())
    render.emit(result, "providers", lambda out: _providers(out, result))


def _providers(out: Console, r: ProviderList) -> None:
    grid = render.table("name", "endpoint", "enabled", "key")
    for p in r.providers:
        key = "not needed (local, no egress)" if p.local else _key_text(p)
        grid.add_row(p.name, escape(p.base_url), "yes" if p.enabled else "no", key)
    out.print(grid)
    out.print(
        f"Settings: {escape(r.settings_file)}; keys without an OS keyring: {escape(r.key_file)} (mode 0600)"
    )


def _key_text(p: ProviderRow) -> str:
    if p.key == "none":
        return f"missing (${p.key_variable} or providers set-key {p.name})"
    return f"from {p.key}"


def _row(out: Console, p: ProviderRow) -> None:
    out.print(
        f"{p.name}: endpoint {escape(p.base_url)}, {'enabled' if p.enabled else 'disabled'}, key {_key_text(p)}"
    )


@providers.command("set-key")
@click.argument("name")
@json_option
def set_key(name: str) -> None:
    """Store NAME's API key, typed at a hidden prompt (never echoed, never in shell history)."""
    from gitbench.config import load_environment
    from gitbench.services.model_choice import set_provider_key

    if not stdin_is_terminal():
        # Piped in (e.g. from a password manager): read one line, never from the command line.
        key = stdin_bytes().decode("utf-8", errors="replace").split("\n", 1)[0].strip()
    else:
        key = click.prompt(f"API key for {name}", hide_input=True, err=True)
    result = set_provider_key(name, key, env=load_environment())
    render.emit(result, "providers set-key", lambda out: _row(out, result))


@providers.command("clear-key")
@click.argument("name")
@json_option
def clear_key(name: str) -> None:
    """Forget NAME's stored API key."""
    from gitbench.config import load_environment
    from gitbench.services.model_choice import clear_provider_key

    result = clear_provider_key(name, env=load_environment())
    render.emit(result, "providers clear-key", lambda out: _row(out, result))


@providers.command("enable")
@click.argument("name")
@json_option
def enable(name: str) -> None:
    """Allow models of NAME to be used."""
    _enable(name, True)


@providers.command("disable")
@click.argument("name")
@json_option
def disable(name: str) -> None:
    """Never use models of NAME."""
    _enable(name, False)


def _enable(name: str, enabled: bool) -> None:
    from gitbench.config import load_environment
    from gitbench.services.model_choice import enable_provider

    result = enable_provider(name, enabled, env=load_environment())
    render.emit(
        result,
        "providers enable" if enabled else "providers disable",
        lambda out: _row(out, result),
    )


@providers.command("set-url")
@click.argument("name")
@click.argument("url")
@click.option("--yes", is_flag=True, help="Confirm that your files may be sent to this URL.")
@json_option
def set_url(name: str, url: str, yes: bool) -> None:
    """Use a self-hosted or local endpoint for NAME (https, or http://localhost for local servers)."""
    from gitbench.cli.app import confirm
    from gitbench.config import load_environment
    from gitbench.services.model_choice import set_provider_url

    confirm(yes, f"Send {name} requests (and the files in them) to {url}?")
    result = set_provider_url(name, url, env=load_environment())
    render.emit(result, "providers set-url", lambda out: _row(out, result))


@providers.command("validate")
@click.argument("name")
@click.option(
    "--model", "model_id", metavar="ID", help="The model to call (default: the provider's first)."
)
@json_option
def validate(name: str, model_id: str | None) -> None:
    """Make one minimal real call to NAME (it needs consent, like every model call)."""
    from gitbench.config import load_environment
    from gitbench.services.calls import validate_provider

    result = validate_provider(options().bench(), name, model_id, env=load_environment())
    render.emit(
        result,
        "providers validate",
        lambda out: out.print(
            f"{name} answered ({result.model}, {result.input_tokens}+{result.output_tokens} tokens)"
        ),
    )


COMMANDS = [models, model, providers]
