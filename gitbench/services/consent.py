"""Consent: what a person allowed to leave, to where; and the egress log they can read.

The scope (the files that can be sent) is named by its hash. The hash is the latest
`Gitbench-Scope:` trailer on main's first-parent history, written by every `add` and `rm`: so
the scope changes when a person adds or removes files, not when the workbench publishes its
own drafts. A workbench with no such trailer yet (made or adopted with plain git) falls back
to the hash of main's current file list. See docs/security.md.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, replace
from typing import Literal

from gitbench.clock import iso
from gitbench.errors import ErrorCode, GitbenchError
from gitbench.policy import consent as records
from gitbench.policy import egress_log, rules
from gitbench.policy.consent import ConfirmedEndpoint, ConsentKey, ConsentState, Grant, Mode
from gitbench.providers.registry import model_info
from gitbench.services.files import SCOPE_TRAILER, scope_hash
from gitbench.services.models import (
    ConsentEndpointView,
    ConsentGrantView,
    ConsentModeResult,
    ConsentStatus,
    EgressEventView,
    EgressLogResult,
    GrantPlan,
    GrantResult,
    RevokeResult,
)
from gitbench.services.session import require_main
from gitbench.store import objects
from gitbench.store.lock import workbench_lock
from gitbench.store.repo import Workbench
from gitbench.store.types import ObjectId

# The consent records have their own lock, apart from the workbench lock, so that a command
# already holding the workbench lock (a workshop turn) can still claim its session grant.
_LOCK_DIR = "consent-lock"
_MAX_MODEL_ID = 200


@dataclass(frozen=True)
class Scope:
    scope_hash: str
    source: Literal["trailer", "tree"]
    files: list[str]


def current_scope(wb: Workbench) -> Scope:
    """The files of main that can be sent, and the scope hash consent is bound to."""
    main = require_main(wb)
    files = [f.path for f in objects.tree_files(wb, objects.commit_info(wb, main).tree, False)]
    recorded = _latest_scope_trailer(wb, main)
    if recorded is not None:
        return Scope(recorded, "trailer", files)
    return Scope(scope_hash(files), "tree", files)


def _latest_scope_trailer(wb: Workbench, commit: ObjectId) -> str | None:
    seen: ObjectId | None = commit
    while seen is not None:
        info = objects.commit_info(wb, seen)
        found = info.trailers.get(SCOPE_TRAILER)
        if found:
            return found
        seen = info.parents[0] if info.parents else None
    return None


def consent_status(wb: Workbench) -> ConsentStatus:
    """The mode, the current scope with its files, every grant and every confirmed endpoint."""
    scope = current_scope(wb)
    state = records.load(records.consent_path(wb.state_dir))
    return ConsentStatus(
        mode=state.mode,
        scope_hash=scope.scope_hash,
        scope_source=scope.source,
        files=scope.files,
        grants=[_grant_view(g, scope.scope_hash) for g in state.grants],
        endpoints=[ConsentEndpointView(**asdict(e)) for e in state.endpoints],
    )


def grant_consent(
    wb: Workbench,
    *,
    provider: str,
    model: str,
    persist: bool,
    base_url: str | None,
    confirm: Callable[[GrantPlan], None],
) -> GrantResult:
    """Allow this workbench's current scope to be sent to `provider` / `model`.

    `confirm` sees exactly what would leave and to where, and raises USER_CANCELED to stop;
    nothing is recorded before it returns. A `base_url` adds its host and port to this
    provider's allowlist (only this provider's) as part of the same confirmation.
    """
    plan = plan_grant(wb, provider=provider, model=model, persist=persist, base_url=base_url)
    confirm(plan)
    now = iso(wb.clock.now())
    key = ConsentKey(provider, model, plan.scope_hash)
    with _locked_records(wb) as (stored, save):
        updated = stored.with_grant(Grant(key, persisted=persist, granted_at=now))
        if base_url is not None and plan.kind == "cloud":
            endpoint, canonical = rules.confirmable_endpoint(base_url, provider)
            updated = updated.with_endpoint(
                ConfirmedEndpoint(provider, endpoint.host, endpoint.port, canonical, now)
            )
        save(updated)
    return GrantResult(plan=plan, granted_at=now)


def plan_grant(
    wb: Workbench, *, provider: str, model: str, persist: bool, base_url: str | None
) -> GrantPlan:
    """What a grant would allow: the files, the destination hosts, cloud or local."""
    kind = rules.provider_kind(provider)
    _check_model_id(model)
    state = records.load(records.consent_path(wb.state_dir))
    allowed = set(state.allowlist(provider))
    if base_url is not None:
        endpoint, base_url = rules.confirmable_endpoint(base_url, provider)
        allowed = {endpoint} | set(rules.builtin_allowlist(provider))
    scope = current_scope(wb)
    hosts = sorted(str(e) for e in allowed) if kind == "cloud" else ["localhost"]
    return GrantPlan(
        provider=provider,
        model=model,
        kind=kind,
        label=rules.LOCAL_LABEL if kind == "local" else "cloud: files leave this machine",
        hosts=hosts,
        base_url=base_url,
        scope_hash=scope.scope_hash,
        files=scope.files,
        persisted=persist,
    )


def revoke_consent(
    wb: Workbench, *, provider: str | None, model: str | None, everything: bool
) -> RevokeResult:
    """Remove the grants matching `provider`/`model` (all grants when neither is given).
    `everything` also forgets confirmed base URLs and returns the mode to ask."""
    with _locked_records(wb) as (state, save):
        scope = current_scope(wb).scope_hash
        doomed = [g for g in state.grants if _matches(g, provider, model)]
        forgotten = list(state.endpoints) if everything else []
        mode: Mode = "ask" if everything else state.mode
        kept = tuple(g for g in state.grants if g not in doomed)
        endpoints = () if everything else state.endpoints
        save(ConsentState(mode=mode, grants=kept, endpoints=endpoints))
    return RevokeResult(
        revoked=[_grant_view(g, scope) for g in doomed],
        endpoints_forgotten=[ConsentEndpointView(**asdict(e)) for e in forgotten],
        mode=mode,
    )


def set_consent_mode(wb: Workbench, *, mode: Mode, i_understand: bool) -> ConsentModeResult:
    """`allow-all` sends any model the current files without asking; it needs `i_understand`.
    The egress rules (HTTPS, allowlists) apply in every mode."""
    if mode == "allow-all" and not i_understand:
        raise GitbenchError(
            ErrorCode.USER_CANCELED,
            "allow-all lets every model receive the files without asking; "
            "run it again with --i-understand",
            phase="confirm",
        )
    with _locked_records(wb) as (state, save):
        previous = state.mode
        save(replace(state, mode=mode))
    return ConsentModeResult(mode=mode, previous=previous)


def egress_events(wb: Workbench) -> EgressLogResult:
    """Every request decision recorded in this workbench, oldest first."""
    events = egress_log.read(egress_log.log_path(wb.state_dir))
    return EgressLogResult(events=[EgressEventView(**asdict(e)) for e in events])


# Consent a chat session holds in memory, given at its prompt or with --yes.
SessionConsent = frozenset[ConsentKey]


def consent_key(wb: Workbench, model_id: str) -> ConsentKey:
    """The consent that sending this workbench's current scope to `model_id` needs: what a
    turn checks, and what a session may hold in memory (`gitbench chat --yes`)."""
    info = model_info(model_id)
    return ConsentKey(info.provider, info.name, current_scope(wb).scope_hash)


def require_consent(wb: Workbench, key: ConsentKey, session: SessionConsent) -> None:
    """EGRESS_CONSENT_REQUIRED now, before a prompt is built or a message saved, unless
    consent covers `key`. A session-only grant waiting in the records counts: the model
    call's client claims it (`claim_session_grant`)."""
    book = records.ConsentBook(records.consent_path(wb.state_dir), session)
    waiting = book.state().grant_for(key)
    if waiting is None:
        book.require(key)


def consent_needed(error: GitbenchError) -> ConsentKey | None:
    """The exact consent an EGRESS_CONSENT_REQUIRED error asked for, so a chat session that
    is given it at its prompt can hold it (for that session only) and go on."""
    fields = [error.detail.get(name) for name in ("provider", "model", "scope_hash")]
    if error.code is not ErrorCode.EGRESS_CONSENT_REQUIRED or not all(fields):
        return None
    provider, model, scope = (str(f) for f in fields)
    return ConsentKey(provider, model, scope)


def claim_session_grant(wb: Workbench, key: ConsentKey) -> frozenset[ConsentKey]:
    """Take a session-only grant for `key` out of the records: it now belongs to this command
    (or chat session) alone. Returns the session keys the caller holds."""
    with _locked_records(wb) as (state, save):
        grant = state.grant_for(key)
        if grant is None or grant.persisted:
            return frozenset()
        save(replace(state, grants=tuple(g for g in state.grants if g != grant)))
    return frozenset({key})


Saver = Callable[[ConsentState], None]


@contextlib.contextmanager
def _locked_records(wb: Workbench) -> Iterator[tuple[ConsentState, Saver]]:
    path = records.consent_path(wb.state_dir)
    with workbench_lock(wb.state_dir / _LOCK_DIR):
        yield records.load(path), lambda state: records.save(path, state)


def _matches(grant: Grant, provider: str | None, model: str | None) -> bool:
    return (provider is None or grant.key.provider == provider) and (
        model is None or grant.key.model == model
    )


def _grant_view(grant: Grant, current: str) -> ConsentGrantView:
    return ConsentGrantView(
        provider=grant.key.provider,
        model=grant.key.model,
        scope_hash=grant.key.scope_hash,
        persisted=grant.persisted,
        granted_at=grant.granted_at,
        current_scope=grant.key.scope_hash == current,
    )


def _check_model_id(model: str) -> None:
    if not model or len(model) > _MAX_MODEL_ID or not model.isprintable() or " " in model:
        raise GitbenchError(
            ErrorCode.VALIDATION_FAILED,
            "the model id must be one printable word of at most 200 characters",
            phase="validating",
        )
