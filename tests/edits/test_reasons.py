"""The reason codes: closed list, retry policy and stages as the spec states them."""

from __future__ import annotations

from gitbench.edits.reasons import ReasonCode, Stage
from gitbench.edits.settings import EditSettings

SPEC_RETRYABLE = {
    "schema_invalid", "blob_mismatch", "no_match", "ambiguous_match", "count_mismatch",
    "old_text_mismatch", "overlapping_ops", "line_out_of_range", "eol_ambiguous",
    "near_duplicate_block", "duplicate_block", "duplicate_paragraph", "seam_join",
    "mid_word_block", "token_drift", "boundary_dropped", "elision_marker",
}  # fmt: skip
SPEC_NOT_RETRYABLE = {
    "invalid_path", "not_in_context", "unsupported_encoding", "policy_denied", "inspector_error",
}  # fmt: skip
INSPECTOR = {
    "near_duplicate_block", "duplicate_block", "duplicate_paragraph", "seam_join",
    "mid_word_block", "token_drift", "boundary_dropped", "elision_marker", "inspector_error",
}  # fmt: skip


def test_the_list_is_the_spec_list():
    assert len(ReasonCode) == 27
    assert {code.value for code in ReasonCode} >= SPEC_RETRYABLE | SPEC_NOT_RETRYABLE | INSPECTOR


def test_retry_policy_follows_the_spec():
    assert {c.value for c in ReasonCode if c.retryable} >= SPEC_RETRYABLE
    assert not {c.value for c in ReasonCode if c.retryable} & SPEC_NOT_RETRYABLE
    # Not listed by the spec; retryable because a fresh context can fix them (see reasons.py).
    assert ReasonCode.BLOB_ECHO_MISMATCH.retryable and ReasonCode.ALREADY_EXISTS.retryable
    assert not (ReasonCode.NOOP.retryable or ReasonCode.RETRY_EXHAUSTED.retryable)


def test_stages_follow_the_spec_groups():
    assert ReasonCode.BLOB_MISMATCH.stage is Stage.PRECONDITION  # T02
    assert {c.value for c in ReasonCode if c.stage is Stage.INSPECT} == INSPECTOR  # T12
    assert ReasonCode.INVALID_PATH.stage is Stage.SCHEMA  # T23
    assert ReasonCode.RETRY_EXHAUSTED.stage is Stage.RETRY


def test_every_inspector_check_has_a_settings_flag():
    flags = {
        name.removeprefix("check_")
        for name in EditSettings.model_fields
        if name.startswith("check_")
    }
    assert flags == INSPECTOR - {"inspector_error"}
    assert not EditSettings(check_token_drift=False).is_enabled(ReasonCode.TOKEN_DRIFT)
    assert not EditSettings(inspector=False).is_enabled(ReasonCode.SEAM_JOIN)
    assert EditSettings().is_enabled(ReasonCode.SEAM_JOIN)


def test_settings_defaults_are_the_specs():
    defaults = EditSettings()
    assert (defaults.duplicate_threshold, defaults.token_drift) == (2, 0.05)
    assert defaults.near_duplicate_similarity == 0.8
    assert defaults.excerpts is False  # design invariant 8: no file text in artifacts by default
