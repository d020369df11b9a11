"""What the pipeline returns: `Applied`, `NoOp` or a `Rejection` (never an exception).

A `Rejection` is data, so the retry loop can feed it back to the model and telemetry can log it;
`Rejection.to_error()` turns it into the project's one exception type at the boundary that decides
to stop. No field holds file contents unless `EditSettings.excerpts` put some in `diagnostics`.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from gitbench.edits.reasons import ReasonCode, Stage
from gitbench.edits.schema import OidHex
from gitbench.errors import Action, ErrorCode, GitbenchError

Diagnostic = dict[str, Any]


class _Result(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Rejection(_Result):
    """Why a proposal (or one file of it) was refused; nothing was or may be written."""

    reason: ReasonCode
    stage: Stage
    retryable: bool
    path: str | None = None
    op_index: int | None = None
    expected_blob: OidHex | None = None
    actual_blob: OidHex | None = None
    detail: str
    diagnostics: list[Diagnostic] = Field(default_factory=list)

    def to_error(self) -> GitbenchError:
        """This rejection as a GitbenchError(EDIT_REJECTED), phase = stage, subphase = reason."""
        where = f" in {self.path}" if self.path is not None else ""
        return GitbenchError(
            ErrorCode.EDIT_REJECTED,
            f"edit rejected ({self.reason.value}){where}: {self.detail}",
            phase=self.stage.value,
            subphase=self.reason.value,
            actions=(Action.RETRY,) if self.retryable else (Action.VIEW_REPORT,),
            retryable=self.retryable,
            detail=self.model_dump(mode="json", exclude={"stage", "retryable"}),
        )


def reject(
    reason: ReasonCode,
    detail: str,
    *,
    path: str | None = None,
    op_index: int | None = None,
    expected_blob: str | None = None,
    actual_blob: str | None = None,
    diagnostics: list[Diagnostic] | None = None,
) -> Rejection:
    """Build a Rejection whose stage and retryability come from the reason table."""
    return Rejection(
        reason=reason,
        stage=reason.stage,
        retryable=reason.retryable,
        path=path,
        op_index=op_index,
        expected_blob=expected_blob,
        actual_blob=actual_blob,
        detail=detail,
        diagnostics=diagnostics or [],
    )


class FileResult(_Result):
    """One file of an applied proposal: the bytes to store and the telemetry facts about them."""

    path: str
    action: Literal["edit", "create", "delete"]
    new_bytes: bytes | None  # None: delete the path from the tree
    old_blob: OidHex | None
    new_blob: OidHex | None
    ops: int
    lines_added: int
    lines_removed: int
    bytes_before: int
    bytes_after: int
    diagnostics: list[Diagnostic] = Field(default_factory=list)  # e.g. final-newline kept

    def telemetry(self) -> dict[str, Any]:
        """The `edit.applied` files[] entry (no bytes)."""
        return self.model_dump(mode="json", exclude={"new_bytes", "action", "diagnostics"})


class Applied(_Result):
    """Every changed file of the proposal, ready for the store to write in one commit."""

    files: list[FileResult]
    unchanged: list[str] = Field(default_factory=list)  # touched paths whose bytes did not change
    timings_ms: dict[str, float]

    def with_timings(self, **phases_ms: float) -> Applied:
        """A copy with the caller's phases (write, ref) added to `timings_ms`."""
        return self.model_copy(update={"timings_ms": {**self.timings_ms, **phases_ms}})


class NoOp(_Result):
    """The proposal would leave every file byte-identical: no commit, exit 0 with a notice."""

    files: list[str]
    reason: Literal[ReasonCode.NOOP] = ReasonCode.NOOP
