"""Plain data the store hands to the services: hex ids instead of pygit2 objects."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, NewType

ObjectId = NewType("ObjectId", str)
RefName = NewType("RefName", str)

MAIN = RefName("refs/heads/main")
DRAFT = RefName("refs/heads/draft")
CHECKPOINT_PREFIX = "refs/tags/checkpoint/"
DISCARDED_PREFIX = "refs/gitbench/discarded/"
FAILURES_NOTES = RefName("refs/notes/gitbench/failures")


@dataclass(frozen=True)
class RefUpdate:
    """One compare-and-swap step: `old` is what the ref must hold now (None: must not exist),
    `new` what it will hold (None: delete it)."""

    name: RefName
    old: ObjectId | None
    new: ObjectId | None


@dataclass(frozen=True)
class TreeFile:
    path: str
    blob: ObjectId
    size: int
    executable: bool = False


@dataclass(frozen=True)
class CommitInfo:
    id: ObjectId
    tree: ObjectId
    parents: tuple[ObjectId, ...]
    message: str
    author: str
    time: int  # seconds since the epoch (committer time)
    trailers: dict[str, str] = field(default_factory=dict)

    @property
    def subject(self) -> str:
        return self.message.split("\n", 1)[0]


@dataclass(frozen=True)
class TagInfo:
    name: str
    id: ObjectId
    target: ObjectId
    message: str
    time: int


ChangeStatus = Literal["added", "modified", "deleted", "renamed", "copied", "typechange"]


@dataclass(frozen=True)
class FileChange:
    status: ChangeStatus
    path: str
    old_path: str | None
    old_blob: ObjectId | None
    new_blob: ObjectId | None
    old_size: int
    new_size: int
    additions: int
    deletions: int
    binary: bool
