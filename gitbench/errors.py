"""The one exception type of gitbench and the closed registry of its error codes.

Codes are part of the product's contract (design.md section 4): never rename one, add a new one
instead. `docs/errors.md` documents each code and exit status; a test keeps the two in agreement.
"""

from __future__ import annotations

from enum import IntEnum, StrEnum
from typing import Any


class ExitStatus(IntEnum):
    """Process exit statuses, one per error family (documented in docs/errors.md)."""

    OK = 0
    INVALID_INPUT = 1
    USAGE = 2  # click's own status for a malformed command line
    INTERNAL = 3  # a bug: the crash log has the traceback
    REFUSED = 4
    EGRESS = 5
    PROVIDER = 6
    STORAGE = 7
    EDIT_REJECTED = 8


class ErrorCode(StrEnum):
    """Every error gitbench can report. The value is the stable identifier."""

    # egress / consent
    EGRESS_CONSENT_REQUIRED = "EGRESS_CONSENT_REQUIRED"
    EGRESS_BLOCKED_BY_POLICY = "EGRESS_BLOCKED_BY_POLICY"
    # provider / network
    PROVIDER_NOT_CONFIGURED = "PROVIDER_NOT_CONFIGURED"
    PROVIDER_AUTH_FAILED = "PROVIDER_AUTH_FAILED"
    PROVIDER_RATE_LIMITED = "PROVIDER_RATE_LIMITED"
    PROVIDER_UNAVAILABLE = "PROVIDER_UNAVAILABLE"
    NETWORK_UNAVAILABLE = "NETWORK_UNAVAILABLE"
    # sandbox / validation
    SANDBOX_VIOLATION = "SANDBOX_VIOLATION"
    VALIDATION_FAILED = "VALIDATION_FAILED"
    CONTEXT_EXHAUSTED = "CONTEXT_EXHAUSTED"
    # filesystem / storage
    DISK_FULL = "DISK_FULL"
    FILE_READ_FAILED = "FILE_READ_FAILED"
    FILE_WRITE_FAILED = "FILE_WRITE_FAILED"
    CHECKPOINT_CREATE_FAILED = "CHECKPOINT_CREATE_FAILED"
    CHECKPOINT_RESTORE_FAILED = "CHECKPOINT_RESTORE_FAILED"
    # workflow / gating
    BUDGET_CAP_REACHED = "BUDGET_CAP_REACHED"
    CONFLICT_PUBLISHED_CHANGED = "CONFLICT_PUBLISHED_CHANGED"
    USER_CANCELED = "USER_CANCELED"
    # gitbench additions
    DRAFT_EXISTS = "DRAFT_EXISTS"
    NO_DRAFT = "NO_DRAFT"
    NOT_A_WORKBENCH = "NOT_A_WORKBENCH"
    WORKTREE_DIRTY = "WORKTREE_DIRTY"
    CONCURRENT_UPDATE = "CONCURRENT_UPDATE"
    EDIT_REJECTED = "EDIT_REJECTED"
    NOT_FOUND = "NOT_FOUND"
    # A malformed command line, reported as a document under --json (click prints usage text
    # otherwise): scripts need a stable code for it too.
    USAGE_INVALID = "USAGE_INVALID"

    @property
    def exit_status(self) -> ExitStatus:
        return _EXIT_STATUS[self]


_EXIT_STATUS: dict[ErrorCode, ExitStatus] = {
    ErrorCode.EGRESS_CONSENT_REQUIRED: ExitStatus.EGRESS,
    ErrorCode.EGRESS_BLOCKED_BY_POLICY: ExitStatus.EGRESS,
    ErrorCode.PROVIDER_NOT_CONFIGURED: ExitStatus.PROVIDER,
    ErrorCode.PROVIDER_AUTH_FAILED: ExitStatus.PROVIDER,
    ErrorCode.PROVIDER_RATE_LIMITED: ExitStatus.PROVIDER,
    ErrorCode.PROVIDER_UNAVAILABLE: ExitStatus.PROVIDER,
    ErrorCode.NETWORK_UNAVAILABLE: ExitStatus.PROVIDER,
    ErrorCode.SANDBOX_VIOLATION: ExitStatus.INVALID_INPUT,
    ErrorCode.VALIDATION_FAILED: ExitStatus.INVALID_INPUT,
    ErrorCode.CONTEXT_EXHAUSTED: ExitStatus.INVALID_INPUT,
    ErrorCode.NOT_A_WORKBENCH: ExitStatus.INVALID_INPUT,
    ErrorCode.NOT_FOUND: ExitStatus.INVALID_INPUT,
    ErrorCode.DISK_FULL: ExitStatus.STORAGE,
    ErrorCode.FILE_READ_FAILED: ExitStatus.STORAGE,
    ErrorCode.FILE_WRITE_FAILED: ExitStatus.STORAGE,
    ErrorCode.CHECKPOINT_CREATE_FAILED: ExitStatus.STORAGE,
    ErrorCode.CHECKPOINT_RESTORE_FAILED: ExitStatus.STORAGE,
    ErrorCode.BUDGET_CAP_REACHED: ExitStatus.REFUSED,
    ErrorCode.CONFLICT_PUBLISHED_CHANGED: ExitStatus.REFUSED,
    ErrorCode.USER_CANCELED: ExitStatus.REFUSED,
    ErrorCode.DRAFT_EXISTS: ExitStatus.REFUSED,
    ErrorCode.NO_DRAFT: ExitStatus.REFUSED,
    ErrorCode.WORKTREE_DIRTY: ExitStatus.REFUSED,
    ErrorCode.CONCURRENT_UPDATE: ExitStatus.REFUSED,
    ErrorCode.EDIT_REJECTED: ExitStatus.EDIT_REJECTED,
    ErrorCode.USAGE_INVALID: ExitStatus.USAGE,
}


class Action(StrEnum):
    """A next step offered with an error; the CLI renders each as a gitbench command."""

    RETRY = "retry"
    RESUME = "resume"
    SWITCH_MODEL = "switch_model"
    OPEN_SETTINGS = "open_settings"
    RESTORE_CHECKPOINT = "restore_checkpoint"
    FREE_DISK_SPACE = "free_disk_space"
    VIEW_REPORT = "view_report"
    REVIEW_DRAFT = "review_draft"
    DISCARD_DRAFT = "discard_draft"
    PUBLISH_DRAFT = "publish_draft"
    GRANT_CONSENT = "grant_consent"


# The command a person runs for each action. Kept next to the enum so a new action cannot
# be added without saying what it means at the terminal.
ACTION_COMMANDS: dict[Action, str] = {
    Action.RETRY: "run the same command again",
    Action.RESUME: "gitbench doctor",
    Action.SWITCH_MODEL: "gitbench models",
    Action.OPEN_SETTINGS: "gitbench config list",
    Action.RESTORE_CHECKPOINT: "gitbench checkpoint list",
    Action.FREE_DISK_SPACE: "free disk space, then run the same command again",
    Action.VIEW_REPORT: "gitbench failures",
    Action.REVIEW_DRAFT: "gitbench review",
    Action.DISCARD_DRAFT: "gitbench discard --yes",
    Action.PUBLISH_DRAFT: "gitbench publish",
    Action.GRANT_CONSENT: "gitbench consent grant",
}

DRAFT_ACTIONS: tuple[Action, ...] = (
    Action.REVIEW_DRAFT,
    Action.PUBLISH_DRAFT,
    Action.DISCARD_DRAFT,
)


class GitbenchError(Exception):
    """The only exception gitbench raises on purpose.

    `phase` names the step of the operation that failed (e.g. "conflict_check"), `actions` the
    next steps, `detail` structured facts safe to show and to store (never file contents or keys).
    A plain class rather than a dataclass: every CLI module imports this one, and `--help` must
    not pay for the dataclasses module (issue 8).
    """

    def __init__(
        self,
        code: ErrorCode,
        message: str,
        *,
        phase: str = "run",
        subphase: str | None = None,
        actions: tuple[Action, ...] = (),
        retryable: bool = False,
        detail: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.phase = phase
        self.subphase = subphase
        self.actions = actions
        self.retryable = retryable
        self.detail: dict[str, Any] = {} if detail is None else detail

    def __repr__(self) -> str:
        return f"GitbenchError({self.code.value}, {self.message!r}, phase={self.phase!r})"

    def __str__(self) -> str:
        return f"{self.code.value}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code.value,
            "message": self.message,
            "phase": self.phase,
            "subphase": self.subphase,
            "actions": [{"action": a.value, "command": ACTION_COMMANDS[a]} for a in self.actions],
            "retryable": self.retryable,
            "exit_status": int(self.code.exit_status),
            "detail": self.detail,
        }
