"""The closed list of reasons an edit proposal can be refused, with the stage and retry policy of each.

One enum is shared by rejections, telemetry and CLI output (spec: Telemetry). `reason_table()`
renders the table embedded in docs/edits.md; a test keeps the two identical.
"""

from __future__ import annotations

from enum import StrEnum


class Stage(StrEnum):
    """Where in the pipeline a proposal stopped (the telemetry `stage` field)."""

    SCHEMA = "schema"
    PRECONDITION = "precondition"
    RESOLVE = "resolve"
    INSPECT = "inspect"
    COMMIT = "commit"
    RETRY = "retry"


class ReasonCode(StrEnum):
    """Why a proposal was not applied. The value is the stable identifier."""

    # schema / input
    SCHEMA_INVALID = "schema_invalid"
    INVALID_PATH = "invalid_path"
    NOT_IN_CONTEXT = "not_in_context"
    BLOB_ECHO_MISMATCH = "blob_echo_mismatch"
    UNSUPPORTED_ENCODING = "unsupported_encoding"
    # precondition
    BLOB_MISMATCH = "blob_mismatch"
    ALREADY_EXISTS = "already_exists"
    # resolve
    NO_MATCH = "no_match"
    AMBIGUOUS_MATCH = "ambiguous_match"
    COUNT_MISMATCH = "count_mismatch"
    OLD_TEXT_MISMATCH = "old_text_mismatch"
    LINE_OUT_OF_RANGE = "line_out_of_range"
    OVERLAPPING_OPS = "overlapping_ops"
    EOL_AMBIGUOUS = "eol_ambiguous"
    # inspector
    NEAR_DUPLICATE_BLOCK = "near_duplicate_block"
    DUPLICATE_BLOCK = "duplicate_block"
    DUPLICATE_PARAGRAPH = "duplicate_paragraph"
    SEAM_JOIN = "seam_join"
    MID_WORD_BLOCK = "mid_word_block"
    TOKEN_DRIFT = "token_drift"
    BOUNDARY_DROPPED = "boundary_dropped"
    ELISION_MARKER = "elision_marker"
    INSPECTOR_ERROR = "inspector_error"
    # commit / flow
    REF_MOVED = "ref_moved"
    POLICY_DENIED = "policy_denied"
    RETRY_EXHAUSTED = "retry_exhausted"
    NOOP = "noop"

    @property
    def stage(self) -> Stage:
        return _INFO[self][0]

    @property
    def retryable(self) -> bool:
        return _INFO[self][1]

    @property
    def description(self) -> str:
        return _INFO[self][2]


_S, _P, _R, _I, _C, _T = (
    Stage.SCHEMA,
    Stage.PRECONDITION,
    Stage.RESOLVE,
    Stage.INSPECT,
    Stage.COMMIT,
    Stage.RETRY,
)

# (stage, retryable, description). Retryable follows the spec's retry policy; the spec leaves
# blob_echo_mismatch and already_exists unlisted: both are retryable here because a fresh context
# can fix them (a confused echo is a model slip like schema_invalid; already_exists is a stale
# context, and principle 2 says stale means re-ask the model).
_INFO: dict[ReasonCode, tuple[Stage, bool, str]] = {
    ReasonCode.SCHEMA_INVALID: (_S, True, "the response does not match the edit schema"),
    ReasonCode.INVALID_PATH: (_S, False, "a path is absolute, escapes the tree, or names .git"),
    ReasonCode.NOT_IN_CONTEXT: (_S, False, "a file the model was not shown"),
    ReasonCode.BLOB_ECHO_MISMATCH: (_S, True, "the echoed expected_blob is not the one shown"),
    ReasonCode.UNSUPPORTED_ENCODING: (_S, False, "the file is not UTF-8 text (or has NUL bytes)"),
    ReasonCode.BLOB_MISMATCH: (_P, True, "the file changed since the model was shown it"),
    ReasonCode.ALREADY_EXISTS: (_P, True, "create of a path that exists at the draft head"),
    ReasonCode.NO_MATCH: (_R, True, "the search text is not in the file"),
    ReasonCode.AMBIGUOUS_MATCH: (_R, True, "the search text occurs more than once"),
    ReasonCode.COUNT_MISMATCH: (_R, True, "replace_all found a different count than expected"),
    ReasonCode.OLD_TEXT_MISMATCH: (_R, True, "replace_lines old_text is not the current text"),
    ReasonCode.LINE_OUT_OF_RANGE: (_R, True, "replace_lines names lines the file does not have"),
    ReasonCode.OVERLAPPING_OPS: (_R, True, "two ops touch the same text"),
    ReasonCode.EOL_AMBIGUOUS: (_R, True, "a multi-line search in a mixed-EOL file"),
    ReasonCode.NEAR_DUPLICATE_BLOCK: (_I, True, "a new paragraph nearly repeats a neighbour"),
    ReasonCode.DUPLICATE_BLOCK: (_I, True, "inserted lines repeat nearby lines"),
    ReasonCode.DUPLICATE_PARAGRAPH: (_I, True, "a paragraph now repeats right after itself"),
    ReasonCode.SEAM_JOIN: (_I, True, "the edit glues two words together"),
    ReasonCode.MID_WORD_BLOCK: (_I, True, "a multi-line block inserted inside a word"),
    ReasonCode.TOKEN_DRIFT: (_I, True, "a write loses too many words"),
    ReasonCode.BOUNDARY_DROPPED: (_I, True, "a write drops every paragraph separator"),
    ReasonCode.ELISION_MARKER: (_I, True, "inserted text says '... rest unchanged'"),
    ReasonCode.INSPECTOR_ERROR: (_I, False, "an inspector check crashed (fail-closed)"),
    ReasonCode.REF_MOVED: (_C, False, "the draft moved while committing (handled internally)"),
    ReasonCode.POLICY_DENIED: (_T, False, "the policy gate refused the model call"),
    ReasonCode.RETRY_EXHAUSTED: (_T, False, "the retry also failed"),
    ReasonCode.NOOP: (_C, False, "the edit changes nothing (not an error)"),
}


def reason_table() -> str:
    """The markdown table of every reason code, as embedded in docs/edits.md."""
    rows = [
        "| reason | stage | retryable | meaning |",
        "| --- | --- | --- | --- |",
    ]
    for code in ReasonCode:
        retry = "yes" if code.retryable else "no"
        rows.append(f"| `{code.value}` | {code.stage.value} | {retry} | {code.description} |")
    return "\n".join(rows) + "\n"
