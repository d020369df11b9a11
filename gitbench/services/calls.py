"""Calling a model: resolve its provider, endpoint and key, get the policy-wrapped client, and
stream the answer. Every model call in gitbench goes through here."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

from gitbench.config import Environment
from gitbench.errors import Action, ErrorCode, GitbenchError
from gitbench.policy.consent import ConsentKey
from gitbench.policy.redact import redact
from gitbench.providers.client import Endpoint, stream_chat
from gitbench.providers.events import ChatRequest, Event, Message, Usage
from gitbench.providers.registry import MODELS, PROVIDERS, model_info
from gitbench.services import keys, user_settings
from gitbench.services.models import ValidateResult
from gitbench.services.wiring import egress_client
from gitbench.store.repo import Workbench


def stream_model(
    wb: Workbench,
    model_id: str,
    request: ChatRequest,
    *,
    env: Environment,
    ca_bundle: Path | None = None,
    session: frozenset[ConsentKey] = frozenset(),
    folder: Path | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[Event]:
    """The answer of `model_id` to `request` (whose `model` field is filled in here), as
    events. Consent, the egress policy, retries and error mapping all apply; a key never
    appears in an error."""
    info = model_info(model_id)
    provider = PROVIDERS[info.provider]
    folder = folder or user_settings.config_dir()
    settings = user_settings.load(folder).provider(provider.name)
    if not settings.enabled:
        raise _not_configured(
            provider.name, "the provider is disabled (gitbench providers enable NAME)"
        )
    key, _ = keys.find_key(provider.name, env, folder)
    if key is None and not provider.local:
        raise _not_configured(
            provider.name,
            f"no API key (set {provider.key_env} or gitbench providers set-key {provider.name})",
        )
    base_url = settings.base_url or provider.base_url
    endpoint = Endpoint(provider, base_url, key, structured=info.structured and provider.structured)
    secrets = [key] if key else []
    with egress_client(
        wb,
        provider=provider.name,
        model=info.name,
        base_url=settings.base_url,
        ca_bundle=ca_bundle,
        session=session,
    ) as client:
        try:
            yield from stream_chat(client, endpoint, replace(request, model=info.name), sleep=sleep)
        except GitbenchError as error:
            # A provider may echo the request (and its key) in an error message.
            error.message = redact(error.message, secrets)
            error.detail = {
                k: redact(v, secrets) if isinstance(v, str) else v for k, v in error.detail.items()
            }
            raise


def validate_provider(
    wb: Workbench,
    provider: str,
    model_id: str | None,
    *,
    env: Environment,
    ca_bundle: Path | None = None,
    folder: Path | None = None,
) -> ValidateResult:
    """One minimal real call (a few tokens) to prove key, endpoint and consent work. It is a
    model call like any other: it needs consent and passes the egress policy."""
    chosen = model_id or _first_model(provider)
    request = ChatRequest(
        model="",
        system="Answer with the single word OK.",
        messages=(Message("user", "OK?"),),
        max_output_tokens=8,
    )
    usage = Usage(0, 0)
    for event in stream_model(wb, chosen, request, env=env, ca_bundle=ca_bundle, folder=folder):
        if isinstance(event, Usage):
            usage = event
    return ValidateResult(
        provider=provider,
        model=chosen,
        ok=True,
        input_tokens=usage.input_tokens,
        output_tokens=usage.output_tokens,
    )


def _first_model(provider: str) -> str:
    if provider not in PROVIDERS:
        raise GitbenchError(
            ErrorCode.VALIDATION_FAILED,
            f"unknown provider {provider!r}",
            phase="providers",
            detail={"known": sorted(PROVIDERS)},
        )
    found = next((m for m in MODELS if m.startswith(provider + ":")), None)
    if found is None:
        raise GitbenchError(
            ErrorCode.VALIDATION_FAILED,
            f"{provider} has no known model: name one with --model {provider}:NAME",
            phase="providers",
        )
    return found


def _not_configured(provider: str, why: str) -> GitbenchError:
    return GitbenchError(
        ErrorCode.PROVIDER_NOT_CONFIGURED,
        f"{provider}: {why}",
        phase="provider",
        actions=(Action.OPEN_SETTINGS, Action.SWITCH_MODEL),
        detail={"provider": provider},
    )
