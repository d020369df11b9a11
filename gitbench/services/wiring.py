"""The one place an HTTP client is built: PolicyTransport around the real transport.

Providers receive the client from here and never build one (style.md rule 8). The consent
check runs first, so a missing consent fails before any client exists.
"""

from __future__ import annotations

import ssl
from pathlib import Path

from gitbench.policy.client import Client, build_client
from gitbench.policy.consent import ConsentBook, ConsentKey, consent_path
from gitbench.policy.egress_log import log_path
from gitbench.policy.rules import provider_kind
from gitbench.policy.transport import EgressContext, preflight
from gitbench.services.consent import claim_session_grant, current_scope
from gitbench.store.repo import Workbench


def egress_client(
    wb: Workbench,
    *,
    provider: str,
    model: str,
    base_url: str | None = None,
    ca_bundle: Path | None = None,
    session: frozenset[ConsentKey] = frozenset(),
) -> Client:
    """An httpx client for calls to `provider` / `model` about this workbench's files.

    Raises EGRESS_CONSENT_REQUIRED (actions grant_consent, switch_model) unless consent covers
    (provider, model, current scope hash); a session-only grant is claimed here and lasts for
    the client's life. `session` carries grants a chat session already holds. With `base_url`,
    EGRESS_BLOCKED_BY_POLICY comes now, before a prompt is built, when requests there would be
    refused. `ca_bundle` (a PEM file) replaces the trust store, for a private endpoint's CA.
    """
    provider_kind(provider)  # an unknown provider is refused before anything else
    key = ConsentKey(provider, model, current_scope(wb).scope_hash)
    path, log = consent_path(wb.state_dir), log_path(wb.state_dir)
    if base_url is not None:
        # The destination first, with consent taken as given: a refused base URL must not use
        # up a session grant.
        assumed = ConsentBook(path, session | {key})
        preflight(EgressContext(key=key, book=assumed, log=log, clock=wb.clock), base_url)
    book = ConsentBook(path, session)
    if not book.covers(key):
        book = ConsentBook(path, session | claim_session_grant(wb, key))
    book.require(key)
    context = EgressContext(key=key, book=book, log=log, clock=wb.clock)
    return build_client(context, verify=_verify(ca_bundle))


def _verify(ca_bundle: Path | None) -> ssl.SSLContext | bool:
    if ca_bundle is None:
        return True  # httpx's default trust store (certifi)
    return ssl.create_default_context(cafile=str(ca_bundle))
