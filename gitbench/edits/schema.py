"""The edit payload: what a model (or a person) sends, and the envelope gitbench wraps around it.

Two layers (spec: Edit payload schema). `ModelEditResponse` is what the model emits; it carries no
hashes, so the model cannot invent them. `EditProposal` adds what gitbench recorded when it built
the prompt (`shown`, `base_commit`); the pipeline checks preconditions against those records only.

`validate_path` is the one path rule of gitbench; the store reuses it before writing any object,
because pygit2 does not validate paths (design.md section 3). `blob_oid` hashes bytes exactly as
git does for SHA-1 repositories.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator
from pydantic_core import PydanticCustomError

from gitbench.edits.reasons import ReasonCode

if TYPE_CHECKING:  # codec imports results, which imports this module
    from gitbench.edits.codec import View

OidHex = Annotated[str, Field(pattern=r"^[0-9a-f]{40}(?:[0-9a-f]{24})?$")]  # SHA-1 or SHA-256 hex


@dataclass(frozen=True, slots=True)
class InvalidPath:
    """Why `validate_path` refused a path; `problem` names the rule, never more than the path."""

    problem: str
    reason: ReasonCode = ReasonCode.INVALID_PATH


def validate_path(path: str) -> str | InvalidPath:
    """Return `path` if it is a safe repo-relative POSIX path, else the rule it breaks."""
    if "\\" in path:
        return InvalidPath("contains a backslash")
    if "\x00" in path:
        return InvalidPath("contains a NUL byte")
    if path.startswith("/"):
        return InvalidPath("is absolute")
    parts = path.split("/")
    if any(part in ("", ".", "..") for part in parts):
        return InvalidPath("has an empty, '.' or '..' component")
    # Case-insensitive: on macOS and Windows `.GIT` is the same directory as `.git`.
    if any(part.lower() == ".git" for part in parts):
        return InvalidPath("names a .git directory")
    return path


def blob_oid(data: bytes) -> str:
    """The git blob id of `data` in a SHA-1 repository (what `git hash-object` prints)."""
    digest = hashlib.sha1(b"blob %d\x00" % len(data), usedforsecurity=False)
    digest.update(data)
    return digest.hexdigest()


class _Strict(BaseModel):
    # Never strip: whitespace in model text is content, and stripping it would corrupt edits.
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)


class ReplaceOp(_Strict):
    """Replace exact `search` text (unique, the `occurrence`-th, or all `expect_count`)."""

    op: Literal["replace"]
    search: str = Field(min_length=1, max_length=64_000)
    replace: str = Field(max_length=2_000_000)  # "" is a deletion and must be allowed
    occurrence: int | None = Field(default=None, ge=1)
    replace_all: bool = False
    expect_count: int | None = Field(default=None, ge=1)
    allow_duplicates: bool = False

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.search == self.replace:
            raise ValueError("noop: search == replace")
        if self.replace_all and self.occurrence is not None:
            raise ValueError("occurrence and replace_all are exclusive")
        if self.replace_all != (self.expect_count is not None):
            raise ValueError("replace_all requires expect_count (and vice versa)")
        return self


class ReplaceLinesOp(_Strict):
    """Replace lines start_line..end_line (1-based, inclusive) whose text is `old_text`."""

    op: Literal["replace_lines"]
    start_line: int = Field(ge=1)
    end_line: int = Field(ge=0)  # start_line - 1 means a pure insertion before start_line
    old_text: str
    new_text: str
    allow_duplicates: bool = False


class WriteOp(_Strict):
    """Replace the whole file (explicit, never inferred from a large replace)."""

    op: Literal["write"]
    content: str
    allow_large_change: bool = False


FileOp = Annotated[ReplaceOp | ReplaceLinesOp | WriteOp, Field(discriminator="op")]


class ModelFileEdit(_Strict):
    """The model's edits to one file."""

    path: str = Field(min_length=1, max_length=4096)
    action: Literal["edit", "create", "delete"] = "edit"
    expected_blob: OidHex | None = None
    ops: list[FileOp] = Field(default_factory=list, max_length=200)

    @field_validator("path")
    @classmethod
    def _safe_path(cls, value: str) -> str:
        checked = validate_path(value)
        if isinstance(checked, InvalidPath):
            # A dedicated error type lets `parse_response` report invalid_path, which is not
            # retryable, instead of the generic (retryable) schema_invalid.
            raise PydanticCustomError(
                "invalid_path", "invalid path: {problem}", {"problem": checked.problem}
            )
        return checked

    @model_validator(mode="after")
    def _shape(self) -> Self:
        writes = [op for op in self.ops if isinstance(op, WriteOp)]
        if self.action == "delete" and self.ops:
            raise ValueError("delete takes no ops")
        if self.action == "create" and (len(self.ops) != 1 or not writes):
            raise ValueError("create takes exactly one write op")
        if self.action == "edit" and not self.ops:
            raise ValueError("edit needs at least one op")
        if writes and len(self.ops) != 1:
            raise ValueError("write must be the only op for a file")
        return self


class ModelEditResponse(_Strict):
    """The JSON a model (or a person) sends; its JSON schema is given to the model."""

    schema_version: Literal[1] = 1
    summary: str = Field(min_length=1, max_length=200)
    rationale: str | None = Field(default=None, max_length=4000)
    files: list[ModelFileEdit] = Field(min_length=1, max_length=50)

    @model_validator(mode="after")
    def _unique_paths(self) -> Self:
        paths = [f.path for f in self.files]
        if len(paths) != len(set(paths)):
            raise ValueError("duplicate path")
        return self


class ShownFile(_Strict):
    """What gitbench showed the model for one path (recorded when the prompt was built)."""

    path: str
    blob: OidHex | None  # None: the file was absent at base_commit
    eol: Literal["lf", "crlf", "mixed", "none"]
    bom: bool
    # The bytes shown and their view, kept by a caller that applies right away (gitbench
    # apply): while the draft tree still holds `blob` they are that blob's bytes, so the file
    # is neither read nor decoded a second time (#6). Never serialized.
    _kept: tuple[bytes, View | None, int] | None = PrivateAttr(default=None)

    def __eq__(self, other: object) -> bool:
        # The kept bytes are a cache, not part of the record: pydantic would compare them.
        if not isinstance(other, ShownFile):
            return NotImplemented
        return self.__dict__ == other.__dict__

    __hash__ = _Strict.__hash__

    def keep(self, data: bytes, view: View, sniff_bytes: int) -> None:
        """Keep what was shown (decoded with `sniff_bytes`), for `kept_bytes`/`take_view`."""
        self._kept = (data, view, sniff_bytes)

    def kept_bytes(self, blob: str | None) -> bytes | None:
        """The kept bytes if the tree still holds the shown blob, else None."""
        if self._kept is None or blob is None or blob != self.blob:
            return None
        return self._kept[0]

    def take_view(self, data: bytes, sniff_bytes: int) -> View | None:
        """The kept view if `data` is the kept bytes decoded with the same settings, handed
        over once: the record lets go of it, so the apply can free it before encoding."""
        if self._kept is None or self._kept[0] is not data or self._kept[2] != sniff_bytes:
            return None
        view = self._kept[1]
        self._kept = (data, None, sniff_bytes)
        return view


class EditProposal(_Strict):
    """The envelope the pipeline validates: the model's response plus the recorded context."""

    proposal_id: str
    attempt: int = Field(ge=1, le=2)
    draft_ref: str
    base_commit: OidHex
    shown: dict[str, ShownFile]
    response: ModelEditResponse
    model: str
    policy_decision_id: str | None = None
