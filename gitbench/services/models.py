"""The results services return: the CLI renders them for people and as `--json`.

Field names are part of the JSON contract documented in docs/json.md.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

FileKind = Literal["text", "opaque"]


class Result(BaseModel):
    # defer_build: validators are built on first use, not at import (status pays for none).
    model_config = ConfigDict(frozen=True, defer_build=True)


class FileEntry(Result):
    path: str
    kind: FileKind
    size: int
    blob: str


class InitResult(Result):
    root: str
    main: str
    adopted: bool
    hooks: list[str]


class SkippedFile(Result):
    path: str
    reason: str
    size: int


class AddResult(Result):
    commit: str | None
    added: list[FileEntry]
    updated: list[FileEntry]
    unchanged: list[str]
    skipped: list[SkippedFile]


class RemoveResult(Result):
    commit: str
    removed: list[str]


class ListResult(Result):
    ref: Literal["main", "draft"]
    commit: str
    files: list[FileEntry]


class ExtractedFile(Result):
    path: str
    written_to: str


class ExtractResult(Result):
    to: str
    files: list[ExtractedFile]


class DeleteResult(Result):
    root: str


class PutResult(Result):
    path: str
    action: Literal["created", "modified", "deleted", "unchanged"]
    commit: str | None
    draft_created: bool


class DraftSummary(Result):
    tip: str
    base: str
    commits: int
    files_changed: int
    created_at: str
    age_seconds: int
    reminder: Literal["none", "remind", "warn"]
    based_on_main: bool


class ClutterResult(Result):
    score: float
    level: Literal["light", "moderate", "heavy"]
    usage: int
    window: int
    model: str | None
    files: int
    conversation_chars: int
    warning: str | None
    note: str | None = None

    def bar(self, width: int = 20) -> str:
        """One plain line for people: `[######..............] 31% light (2,540 of 8,192 tokens)`."""
        filled = round(self.score * width)
        meter = "#" * filled + "." * (width - filled)
        return f"[{meter}] {self.score:.0%} {self.level} ({self.usage:,} of {self.window:,} tokens)"


class EffectiveModel(Result):
    id: str | None
    source: Literal["command", "workbench", "user", "none"]


class StatusResult(Result):
    root: str
    main: str
    main_subject: str
    draft: DraftSummary | None
    checkpoints: int
    head: str | None
    local_changes: list[str]
    failures: int
    model: EffectiveModel | None = None
    consent_mode: Literal["ask", "allow-all"] = "ask"
    clutter: ClutterResult | None = None


class ReviewFile(Result):
    path: str
    old_path: str | None
    status: str
    kind: FileKind
    additions: int
    deletions: int
    old_size: int
    new_size: int
    old_blob: str | None
    new_blob: str | None
    patch: str | None = None


class ReviewResult(Result):
    main: str
    draft: str
    files: list[ReviewFile]
    additions: int
    deletions: int


class DiffResult(Result):
    patch: str


class Checkpoint(Result):
    id: str
    reason: Literal["publish", "manual", "pre_restore", "auto"]
    description: str
    created_at: str
    commit: str
    files: int
    bytes: int


class CheckpointList(Result):
    checkpoints: list[Checkpoint]


class CheckpointCreated(Result):
    checkpoint: Checkpoint
    pruned: list[str]


class PublishResult(Result):
    previous: str
    published: str
    checkpoint: Checkpoint
    files_changed: int
    deleted: list[str]


class DiscardResult(Result):
    tip: str
    saved_as: str


class UndoDiscardResult(Result):
    tip: str
    restored_from: str


class RestoreResult(Result):
    checkpoint: str
    commit: str | None
    pre_restore: Checkpoint | None
    files_changed: int


class SettingValue(Result):
    key: str
    value: bool | int | float | str
    default: bool | int | float | str
    is_default: bool
    help: str


class SettingList(Result):
    settings: list[SettingValue]


class FailureRecord(Result):
    commit: str
    code: str
    message: str
    phase: str
    command: str | None = None
    created_at: str | None = None
    detail: dict[str, object] = {}


class FailureList(Result):
    failures: list[FailureRecord]


class HookState(Result):
    name: str
    installed: bool
    current: bool


class HooksResult(Result):
    hooks_dir: str
    active: bool
    hooks: list[HookState]
    repaired: list[str]
    warnings: list[str]


class DoctorCheck(Result):
    name: str
    ok: bool
    detail: str


class DoctorResult(Result):
    healthy: bool
    repaired: list[str]
    checks: list[DoctorCheck]
    recent_recoveries: list[str]


class AppliedFile(Result):
    path: str
    action: Literal["edit", "create", "delete"]
    old_blob: str | None
    new_blob: str | None
    lines_added: int
    lines_removed: int


class ApplyResult(Result):
    proposal_id: str
    status: Literal["applied", "noop"]
    commit: str | None
    attempts: int
    files: list[AppliedFile]
    timings_ms: dict[str, float]


# --- consent and egress (issue 4) ---


class ConsentGrantView(Result):
    provider: str
    model: str
    scope_hash: str
    persisted: bool
    granted_at: str
    current_scope: bool


class ConsentEndpointView(Result):
    provider: str
    host: str
    port: int
    base_url: str
    confirmed_at: str


class ConsentStatus(Result):
    mode: Literal["ask", "allow-all"]
    scope_hash: str
    scope_source: Literal["trailer", "tree"]
    files: list[str]
    grants: list[ConsentGrantView]
    endpoints: list[ConsentEndpointView]


class GrantPlan(Result):
    provider: str
    model: str
    kind: Literal["cloud", "local"]
    label: str
    hosts: list[str]
    base_url: str | None
    scope_hash: str
    files: list[str]
    persisted: bool


class GrantResult(Result):
    plan: GrantPlan
    granted_at: str


class RevokeResult(Result):
    revoked: list[ConsentGrantView]
    endpoints_forgotten: list[ConsentEndpointView]
    mode: Literal["ask", "allow-all"]


class ConsentModeResult(Result):
    mode: Literal["ask", "allow-all"]
    previous: Literal["ask", "allow-all"]


class EgressEventView(Result):
    time: str
    provider: str
    model: str
    host: str
    port: int
    scope_hash: str
    outcome: Literal["allowed", "blocked", "failed"]
    reason: str | None
    status: int | None
    bytes_sent: int
    bytes_received: int
    tokens: int | None


class EgressLogResult(Result):
    events: list[EgressEventView]


class ModelRow(Result):
    id: str
    display: str
    provider: str
    context_window: int
    max_output: int
    structured: bool
    price_in: float | None
    price_out: float | None
    local: bool
    usable: bool
    why_not: str | None


class ModelList(Result):
    models: list[ModelRow]
    default: str | None


class ProviderRow(Result):
    name: str
    display: str
    local: bool
    enabled: bool
    base_url: str
    custom_url: bool
    key: Literal["environment", "keyring", "file", "none"]
    key_variable: str | None


class ProviderList(Result):
    providers: list[ProviderRow]
    settings_file: str
    key_file: str


class ValidateResult(Result):
    provider: str
    model: str
    ok: bool
    input_tokens: int
    output_tokens: int


class AskResult(Result):
    turn: str
    model: str
    local: bool
    reply: str
    status: Literal["applied", "no_changes"]
    commit: str | None
    attempts: int
    tool_calls: int
    input_tokens: int
    output_tokens: int
    cost_usd: float | None
    draft: ReviewResult | None  # the draft after the turn, when there is one
    clutter: ClutterResult


class ChatFailure(Result):
    """A turn or a chat command that failed; the session went on."""

    input: str  # "turn" or the slash command, e.g. "/publish"
    code: str
    message: str


class ChatResult(Result):
    """A whole `gitbench chat` session, for `--json`: every turn, every slash command run,
    every failure, in order of kind."""

    model: str | None
    turns: list[AskResult]
    commands: list[str]
    failures: list[ChatFailure]


class UndoTurnResult(Result):
    dropped: str
    tip: str | None
    subject: str
    saved_as: str | None


class ConversationEntry(Result):
    """One line of the saved conversation (`refs/gitbench/conversation:log.jsonl`)."""

    kind: Literal["user", "assistant", "event"]
    text: str
    at: str
    turn: str | None = None
    detail: dict[str, object] = {}


class ConversationResult(Result):
    commit: str | None
    entries: list[ConversationEntry]


class ModelFormat(Result):
    model: str
    format: str
