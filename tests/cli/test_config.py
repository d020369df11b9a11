"""gitbench config: the workbench's settings in the [gitbench] section of .git/config."""

from __future__ import annotations

from pathlib import Path

import pytest

from gitbench.edits.settings import EditSettings
from gitbench.errors import ErrorCode
from tests.cli.common import actions, ok, refused
from tests.support.cli import run
from tests.support.gitcli import git

KEYS = {
    "limits.max_files",
    "limits.max_file_bytes",
    "retention.manual",
    "retention.auto",
    "draft.remind_hours",
    "draft.warn_days",
    "model.default",
    "workshop.max_tool_calls",
    *(f"edits.{knob}" for knob in EditSettings.model_fields),
}


def local_config(root: Path, key: str) -> str:
    return git(
        "config", "--file", str(root / ".git" / "config"), "--get", key, cwd=root, check=False
    )


def test_config_get_gives_the_default(bench_path: Path) -> None:
    result = ok(bench_path, "config", "get", "limits.max_files")
    assert result["key"] == "limits.max_files"
    assert result["value"] == result["default"] == 10_000
    assert result["is_default"] is True


def test_config_set_stores_the_value_in_git_config(bench_path: Path) -> None:
    result = ok(bench_path, "config", "set", "limits.max_files", "500")
    assert result["value"] == 500
    assert result["is_default"] is False
    assert local_config(bench_path, "gitbench.limits.max-files") == "500"
    assert ok(bench_path, "config", "get", "limits.max_files")["value"] == 500


def test_config_set_accepts_underscores_in_numbers(bench_path: Path) -> None:
    ok(bench_path, "config", "set", "limits.max_file_bytes", "1_000")
    assert local_config(bench_path, "gitbench.limits.max-file-bytes") == "1000"


def test_config_set_stores_booleans_canonically(bench_path: Path) -> None:
    assert ok(bench_path, "config", "set", "edits.excerpts", "yes")["value"] is True
    assert local_config(bench_path, "gitbench.edits.excerpts") == "true"
    assert ok(bench_path, "config", "set", "edits.excerpts", "off")["value"] is False
    assert local_config(bench_path, "gitbench.edits.excerpts") == "false"


def test_config_reads_a_value_set_with_git(bench_path: Path) -> None:
    git("config", "gitbench.retention.manual", "7", cwd=bench_path)
    assert ok(bench_path, "config", "get", "retention.manual")["value"] == 7


def test_config_ignores_the_users_global_gitbench_section(bench_path: Path) -> None:
    git("config", "--global", "gitbench.retention.manual", "3", cwd=bench_path)
    assert ok(bench_path, "config", "get", "retention.manual")["value"] == 50


def test_config_unset_returns_to_the_default(bench_path: Path) -> None:
    ok(bench_path, "config", "set", "retention.auto", "5")
    result = ok(bench_path, "config", "unset", "retention.auto")
    assert result["value"] == 200
    assert result["is_default"] is True
    assert local_config(bench_path, "gitbench.retention.auto") == ""


def test_config_unset_of_an_unset_key_is_fine(bench_path: Path) -> None:
    assert ok(bench_path, "config", "unset", "retention.auto")["is_default"] is True


def test_config_list_shows_every_setting(bench_path: Path) -> None:
    ok(bench_path, "config", "set", "draft.warn_days", "3")
    settings = {s["key"]: s for s in ok(bench_path, "config", "list")["settings"]}
    assert set(settings) == KEYS
    assert settings["draft.warn_days"]["value"] == 3
    assert settings["draft.warn_days"]["default"] == 7
    assert all(s["help"] for s in settings.values())


def test_config_get_human_output_is_the_bare_value(bench_path: Path) -> None:
    ok(bench_path, "config", "set", "edits.excerpts", "true")
    assert run(bench_path, "config", "get", "edits.excerpts").stdout == "true\n"
    assert run(bench_path, "config", "get", "retention.manual").stdout == "50\n"


def test_config_keeps_the_workbench_marker(bench_path: Path) -> None:
    ok(bench_path, "config", "set", "retention.manual", "9")
    assert git("config", "gitbench.version", cwd=bench_path) == "1"


@pytest.mark.parametrize("command", [("get",), ("set", "1"), ("unset",)])
def test_config_refuses_an_unknown_key(bench_path: Path, command: tuple[str, ...]) -> None:
    verb, *value = command
    error = refused(
        bench_path,
        "config",
        verb,
        "limits.nope",
        *value,
        code=ErrorCode.VALIDATION_FAILED,
        phase="config",
    )
    assert error["detail"]["key"] == "limits.nope"
    assert "limits.nope" in error["message"]
    assert "limits.max_files" in error["detail"]["known"]
    assert actions(error) == ["open_settings"]


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("limits.max_files", "abc"),
        ("limits.max_files", "0"),
        ("limits.max_files", "-3"),
        ("limits.max_files", "1.5"),
        ("limits.max_file_bytes", ""),
        ("retention.manual", "-1"),
        ("draft.remind_hours", "0"),
        ("edits.excerpts", "maybe"),
    ],
)
def test_config_refuses_a_bad_value_naming_the_key(bench_path: Path, key: str, value: str) -> None:
    error = refused(
        bench_path,
        "config",
        "set",
        "--",
        key,
        value,
        code=ErrorCode.VALIDATION_FAILED,
        phase="config",
    )
    assert error["detail"]["key"] == key
    assert key in error["message"]


def test_config_refuses_a_bad_value_stored_with_git(bench_path: Path) -> None:
    git("config", "gitbench.limits.max-files", "lots", cwd=bench_path)
    error = refused(
        bench_path,
        "config",
        "get",
        "limits.max_files",
        code=ErrorCode.VALIDATION_FAILED,
        phase="config",
    )
    assert error["detail"]["key"] == "limits.max_files"


def test_config_unset_repairs_a_bad_value_stored_with_git(bench_path: Path) -> None:
    git("config", "gitbench.limits.max-files", "lots", cwd=bench_path)
    assert ok(bench_path, "config", "unset", "limits.max_files")["value"] == 10_000


def test_edit_pipeline_knobs_are_settings_with_their_bounds(bench_path: Path) -> None:
    assert ok(bench_path, "config", "set", "edits.token_drift", "0.1")["value"] == 0.1
    assert local_config(bench_path, "gitbench.edits.token-drift") == "0.1"
    for bad in ("0", "1.5", "abc"):  # token_drift must be in (0, 1]
        refused(
            bench_path,
            "config",
            "set",
            "edits.token_drift",
            bad,
            code=ErrorCode.VALIDATION_FAILED,
            phase="config",
        )
    assert ok(bench_path, "config", "set", "edits.check_seam_join", "off")["value"] is False
