"""Consent records: which (provider, model, scope hash) a person allowed, and confirmed endpoints.

Stored as JSON in the workbench's state directory (`.git/gitbench/consent.json`), so never
tracked, never pushed. A grant is either persisted (until revoked) or session-only: a
session-only grant is claimed by the next command that calls a model and lasts for that
command (or that chat session), then it is gone.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, Literal

from gitbench.errors import Action, ErrorCode, GitbenchError
from gitbench.policy.rules import Endpoint, builtin_allowlist

CONSENT_FILE = "consent.json"
Mode = Literal["ask", "allow-all"]
MODES: tuple[Mode, ...] = ("ask", "allow-all")


@dataclass(frozen=True)
class ConsentKey:
    provider: str
    model: str
    scope_hash: str


@dataclass(frozen=True)
class Grant:
    key: ConsentKey
    persisted: bool
    granted_at: str


@dataclass(frozen=True)
class ConfirmedEndpoint:
    """A base URL a person confirmed for one provider: its host and port join that
    provider's allowlist, and no other provider's."""

    provider: str
    host: str
    port: int
    base_url: str
    confirmed_at: str


@dataclass(frozen=True)
class ConsentState:
    mode: Mode = "ask"
    grants: tuple[Grant, ...] = ()
    endpoints: tuple[ConfirmedEndpoint, ...] = ()

    def grant_for(self, key: ConsentKey) -> Grant | None:
        return next((g for g in self.grants if g.key == key), None)

    def allowlist(self, provider: str) -> frozenset[Endpoint]:
        confirmed = {Endpoint(e.host, e.port) for e in self.endpoints if e.provider == provider}
        return builtin_allowlist(provider) | confirmed

    def with_grant(self, grant: Grant) -> ConsentState:
        kept = tuple(g for g in self.grants if g.key != grant.key)
        return replace(self, grants=(*kept, grant))

    def with_endpoint(self, endpoint: ConfirmedEndpoint) -> ConsentState:
        kept = tuple(e for e in self.endpoints if e.provider != endpoint.provider)
        return replace(self, endpoints=(*kept, endpoint))


def consent_path(state_dir: Path) -> Path:
    return state_dir / CONSENT_FILE


def load(path: Path) -> ConsentState:
    """The stored records; none yet is an empty state (mode ask)."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return _from_json(raw)
    except FileNotFoundError:
        return ConsentState()
    except (ValueError, KeyError, TypeError) as exc:
        # Fail closed: an unreadable record grants nothing, and says how to start over.
        raise GitbenchError(
            ErrorCode.FILE_READ_FAILED,
            f"the consent records in {path} cannot be read",
            phase="consent",
            detail={"path": str(path), "hint": "gitbench consent revoke --all"},
        ) from exc


def save(path: Path, state: ConsentState) -> None:
    """Write the records atomically (a crash leaves the old file or the new one)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(f".{os.getpid()}.tmp")
    temporary.write_text(json.dumps(_to_json(state), indent=2) + "\n", encoding="utf-8")
    temporary.replace(path)


def missing(key: ConsentKey, message: str | None = None) -> GitbenchError:
    return GitbenchError(
        ErrorCode.EGRESS_CONSENT_REQUIRED,
        message or f"no consent to send this workbench's files to {key.provider} / {key.model}",
        phase="consent",
        actions=(Action.GRANT_CONSENT, Action.SWITCH_MODEL),
        detail={"provider": key.provider, "model": key.model, "scope_hash": key.scope_hash},
    )


class ConsentBook:
    """What a running command may send: the stored records (re-read on every check, so a
    revoke in another terminal takes effect at the next request) plus the session grants
    this command holds in memory."""

    def __init__(self, path: Path, session: frozenset[ConsentKey] = frozenset()) -> None:
        self.path = path
        self.session = session

    def state(self) -> ConsentState:
        return load(self.path)

    def covers(self, key: ConsentKey) -> bool:
        state = self.state()
        if state.mode == "allow-all" or key in self.session:
            return True
        grant = state.grant_for(key)
        return grant is not None and grant.persisted

    def require(self, key: ConsentKey) -> None:
        """EGRESS_CONSENT_REQUIRED unless `key` is covered; called before any request."""
        if not self.covers(key):
            raise missing(key)


def _to_json(state: ConsentState) -> dict[str, Any]:
    return {
        "version": 1,
        "mode": state.mode,
        "grants": [
            {**asdict(g.key), "persisted": g.persisted, "granted_at": g.granted_at}
            for g in state.grants
        ],
        "endpoints": [asdict(e) for e in state.endpoints],
    }


def _from_json(raw: dict[str, Any]) -> ConsentState:
    mode = raw.get("mode", "ask")
    if mode not in MODES:
        raise ValueError(f"unknown consent mode {mode!r}")
    grants = tuple(
        Grant(
            ConsentKey(str(g["provider"]), str(g["model"]), str(g["scope_hash"])),
            persisted=bool(g["persisted"]),
            granted_at=str(g["granted_at"]),
        )
        for g in raw.get("grants", [])
    )
    endpoints = tuple(
        ConfirmedEndpoint(
            provider=str(e["provider"]),
            host=str(e["host"]),
            port=int(e["port"]),
            base_url=str(e["base_url"]),
            confirmed_at=str(e["confirmed_at"]),
        )
        for e in raw.get("endpoints", [])
    )
    return ConsentState(mode=mode, grants=grants, endpoints=endpoints)
