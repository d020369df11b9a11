"""Which models exist, which are usable now, which one a command uses, and provider settings.

The model a command uses: `--model` on the command, else the workbench's `model.default`, else
the person's default (`gitbench model default ID`), else none (the command asks for one).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from gitbench.config import Environment, setting
from gitbench.errors import Action, ErrorCode, GitbenchError
from gitbench.providers.registry import MODELS, PROVIDERS, ProviderInfo, model_info
from gitbench.services import keys, user_settings
from gitbench.services.models import (
    EffectiveModel,
    ModelFormat,
    ModelList,
    ModelRow,
    ProviderList,
    ProviderRow,
)
from gitbench.services.settings import read_setting, set_setting
from gitbench.store.repo import Workbench


def list_models(env: Environment, folder: Path | None = None) -> ModelList:
    """Every known model, marked usable when its provider is enabled and has a key (local
    servers need none)."""
    folder = folder or user_settings.config_dir()
    prefs = user_settings.load(folder)
    rows = []
    for info in MODELS.values():
        why = _unusable(info.provider, prefs, env, folder)
        rows.append(
            ModelRow(
                id=info.id,
                display=info.display,
                provider=info.provider,
                context_window=info.context_window,
                max_output=info.max_output,
                structured=info.structured,
                price_in=info.price_in,
                price_out=info.price_out,
                local=PROVIDERS[info.provider].local,
                usable=why is None,
                why_not=why,
            )
        )
    return ModelList(models=rows, default=prefs.default_model)


def set_default_model(
    model_id: str, wb: Workbench | None = None, folder: Path | None = None
) -> EffectiveModel:
    """Make `model_id` the default for this workbench (with `wb`) or for the person."""
    model_info(model_id)  # VALIDATION_FAILED for an unknown model
    if wb is not None:
        set_setting(wb, "model.default", model_id)
        return EffectiveModel(id=model_id, source="workbench")
    folder = folder or user_settings.config_dir()
    prefs = user_settings.load(folder)
    user_settings.save(prefs.model_copy(update={"default_model": model_id}), folder)
    return EffectiveModel(id=model_id, source="user")


def effective_model(
    wb: Workbench | None, override: str | None = None, folder: Path | None = None
) -> EffectiveModel:
    """The model a command would use, and where that choice comes from."""
    if override:
        model_info(override)
        return EffectiveModel(id=override, source="command")
    if wb is not None:
        chosen = str(read_setting(wb, setting("model.default")))
        if chosen:
            return EffectiveModel(id=chosen, source="workbench")
    default = user_settings.load(folder or user_settings.config_dir()).default_model
    return EffectiveModel(id=default, source="user" if default else "none")


def list_providers(env: Environment, folder: Path | None = None) -> ProviderList:
    folder = folder or user_settings.config_dir()
    prefs = user_settings.load(folder)
    rows = []
    for name, info in PROVIDERS.items():
        _, source = keys.find_key(name, env, folder)
        mine = prefs.provider(name)
        rows.append(
            ProviderRow(
                name=name,
                display=info.display,
                local=info.local,
                enabled=mine.enabled,
                base_url=mine.base_url or info.base_url,
                custom_url=mine.base_url is not None,
                key=source,
                key_variable=info.key_env,
            )
        )
    return ProviderList(
        providers=rows,
        settings_file=str(folder / user_settings.FILE_NAME),
        key_file=str(keys.key_file(folder)),
    )


def set_provider_key(
    name: str, key: str, folder: Path | None = None, env: Environment | None = None
) -> ProviderRow:
    """Store `name`'s API key (keyring, else the 0600 file). The key is never echoed."""
    _known(name)
    if not key.strip():
        raise GitbenchError(ErrorCode.VALIDATION_FAILED, "the key is empty", phase="providers")
    folder = folder or user_settings.config_dir()
    keys.store_key(name, key.strip(), folder)
    return _row(name, folder, env)


def clear_provider_key(
    name: str, folder: Path | None = None, env: Environment | None = None
) -> ProviderRow:
    _known(name)
    folder = folder or user_settings.config_dir()
    keys.forget_key(name, folder)
    return _row(name, folder, env)


def enable_provider(
    name: str, enabled: bool, folder: Path | None = None, env: Environment | None = None
) -> ProviderRow:
    _known(name)
    folder = folder or user_settings.config_dir()
    prefs = user_settings.load(folder)
    mine = prefs.provider(name).model_copy(update={"enabled": enabled})
    user_settings.save(
        prefs.model_copy(update={"providers": {**prefs.providers, name: mine}}), folder
    )
    return _row(name, folder, env)


def set_provider_url(
    name: str, url: str, folder: Path | None = None, env: Environment | None = None
) -> ProviderRow:
    """Point `name` at a self-hosted or local endpoint. HTTPS only, except plain HTTP to
    localhost for local providers (the policy layer enforces the same at request time)."""
    info = _known(name)
    parts = urlsplit(url)
    local_http = (
        info.local
        and parts.scheme == "http"
        and parts.hostname in ("localhost", "127.0.0.1", "::1")
    )
    if parts.scheme != "https" and not local_http:
        raise GitbenchError(
            ErrorCode.EGRESS_BLOCKED_BY_POLICY,
            f"{url!r}: only https URLs (or http://localhost for a local provider) are allowed",
            phase="providers",
            detail={"provider": name, "url": url},
        )
    folder = folder or user_settings.config_dir()
    prefs = user_settings.load(folder)
    mine = prefs.provider(name).model_copy(update={"base_url": url.rstrip("/")})
    user_settings.save(
        prefs.model_copy(update={"providers": {**prefs.providers, name: mine}}), folder
    )
    return _row(name, folder, env)


def _row(name: str, folder: Path, env: Environment | None) -> ProviderRow:
    rows = list_providers(env or Environment(), folder).providers
    return next(r for r in rows if r.name == name)


def _known(name: str) -> ProviderInfo:
    if name not in PROVIDERS:
        raise GitbenchError(
            ErrorCode.VALIDATION_FAILED,
            f"unknown provider {name!r}",
            phase="providers",
            actions=(Action.SWITCH_MODEL,),
            detail={"known": sorted(PROVIDERS)},
        )
    return PROVIDERS[name]


def _unusable(
    provider: str, prefs: user_settings.UserSettings, env: Environment, folder: Path
) -> str | None:
    if not prefs.provider(provider).enabled:
        return "provider disabled"
    if PROVIDERS[provider].local:
        return None
    key, _ = keys.find_key(provider, env, folder)
    return (
        None
        if key
        else f"no API key (set {PROVIDERS[provider].key_env} or gitbench providers set-key {provider})"
    )


def edit_format(model_id: str, folder: Path | None = None) -> str:
    """How the workshop asks `model_id` for edits: the person's setting for that model, else
    its provider's default (json where the API enforces the schema, else blocks)."""
    info = model_info(model_id)
    prefs = user_settings.load(folder or user_settings.config_dir())
    chosen = prefs.models.get(model_id)
    if chosen is not None and chosen.edit_format:
        return chosen.edit_format
    return PROVIDERS[info.provider].edit_format


def set_edit_format(model_id: str, fmt: str, folder: Path | None = None) -> ModelFormat:
    """Remember how to ask `model_id` for edits (`edits.format`: json, blocks, udiff, auto)."""
    model_info(model_id)
    if fmt not in ("json", "blocks", "udiff", "auto"):
        raise GitbenchError(
            ErrorCode.VALIDATION_FAILED,
            f"unknown edit format {fmt!r}: json, blocks, udiff or auto",
            phase="model",
            detail={"format": fmt},
        )
    folder = folder or user_settings.config_dir()
    prefs = user_settings.load(folder)
    models = {**prefs.models, model_id: user_settings.ModelSettings(edit_format=fmt)}  # type: ignore[arg-type]
    user_settings.save(prefs.model_copy(update={"models": models}), folder)
    return ModelFormat(model=model_id, format=fmt)
