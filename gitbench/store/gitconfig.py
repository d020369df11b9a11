"""The workbench's settings in the repository's own git config (never the user's global one)."""

from __future__ import annotations

import pygit2

from gitbench.store.repo import Workbench


def get_value(wb: Workbench, key: str) -> str | None:
    config = _local(wb)
    try:
        return str(config[key])
    except KeyError:
        return None


def set_value(wb: Workbench, key: str, value: str) -> None:
    _local(wb)[key] = value


def unset_value(wb: Workbench, key: str) -> None:
    config = _local(wb)
    if key in config:
        del config[key]


def _local(wb: Workbench) -> pygit2.Config:
    # Reading the repository config alone: a user's global [gitbench] section must not leak
    # into one workbench's settings.
    return pygit2.Config(str(wb.git_dir / "config"))
