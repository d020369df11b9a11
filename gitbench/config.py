"""The one place gitbench reads its environment, and the registry of workbench settings.

Settings live in the `[gitbench]` section of the repository's git config. A user-facing key
`limits.max_files` is stored as `gitbench.limits.max-files`, because git config variable names
may not contain underscores.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from gitbench.errors import Action, ErrorCode, GitbenchError

SettingType = Literal["int", "float", "bool", "str"]


@dataclass(frozen=True)
class Environment:
    """What gitbench takes from the process environment, read once at the CLI boundary."""

    author_name: str | None = None
    author_email: str | None = None
    committer_name: str | None = None
    committer_email: str | None = None
    debug: bool = False
    # Fault injection for the crash-safety tests: the name of a step boundary at which the
    # process kills itself with SIGKILL (see store/faults.py). Never set in normal use.
    fault_at: str | None = None
    # Provider API keys from the environment (OPENAI_API_KEY, ...), by variable name.
    api_keys: Mapping[str, str] = field(default_factory=dict)


KEY_VARIABLES = ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GEMINI_API_KEY", "MISTRAL_API_KEY")


def load_environment(environ: Mapping[str, str] | None = None) -> Environment:
    env = os.environ if environ is None else environ
    return Environment(
        author_name=env.get("GIT_AUTHOR_NAME") or None,
        author_email=env.get("GIT_AUTHOR_EMAIL") or None,
        committer_name=env.get("GIT_COMMITTER_NAME") or None,
        committer_email=env.get("GIT_COMMITTER_EMAIL") or None,
        debug=env.get("GITBENCH_DEBUG", "") not in ("", "0"),
        fault_at=env.get("GITBENCH_FAULT_AT") or None,
        api_keys={name: env[name] for name in KEY_VARIABLES if env.get(name)},
    )


@dataclass(frozen=True)
class Setting:
    key: str
    type: SettingType
    default: int | float | bool | str
    help: str
    minimum: float | None = None
    maximum: float | None = None
    above: float | None = None  # an exclusive minimum

    @property
    def git_key(self) -> str:
        section, _, name = self.key.rpartition(".")
        return f"gitbench.{section}.{name.replace('_', '-')}"


def _edit_settings() -> list[Setting]:
    """One `edits.<knob>` setting per field of the safe-edit pipeline's EditSettings."""
    from annotated_types import Ge, Gt, Le

    from gitbench.edits.settings import EditSettings

    found = []
    for name, info in EditSettings.model_fields.items():
        kinds: dict[object, SettingType] = {bool: "bool", int: "int", float: "float"}
        kind = kinds[info.annotation]
        low = next((m.ge for m in info.metadata if isinstance(m, Ge)), None)
        above = next((m.gt for m in info.metadata if isinstance(m, Gt)), None)
        high = next((m.le for m in info.metadata if isinstance(m, Le)), None)
        found.append(
            Setting(
                f"edits.{name}",
                kind,
                info.default,
                info.description or name,
                minimum=low,  # type: ignore[arg-type]
                maximum=high,  # type: ignore[arg-type]
                above=above,  # type: ignore[arg-type]
            )
        )
    return found


CORE_SETTINGS: dict[str, Setting] = {
    s.key: s
    for s in (
        Setting("limits.max_files", "int", 10_000, "most files a workbench may hold", minimum=1),
        Setting(
            "limits.max_file_bytes", "int", 100 * 1024 * 1024, "largest file add accepts", minimum=1
        ),
        Setting("retention.manual", "int", 50, "manual checkpoints kept", minimum=0),
        Setting("retention.auto", "int", 200, "automatic checkpoints kept", minimum=0),
        Setting("draft.remind_hours", "int", 24, "age at which status reminds of a draft", 1),
        Setting("draft.warn_days", "int", 7, "age at which status warns about a draft", 1),
        Setting("model.default", "str", "", "this workbench's default model (provider:model)"),
        Setting(
            "workshop.max_tool_calls",
            "int",
            25,
            "most read-tool calls a model may make in one turn",
            minimum=1,
        ),
    )
}


@functools.cache
def all_settings() -> dict[str, Setting]:
    """Every setting, the edit pipeline's knobs included. Built on first use: the edits
    model costs ~100 ms to import, which `status` and `--help` must not pay."""
    return {**CORE_SETTINGS, **{s.key: s for s in _edit_settings()}}


def setting(key: str) -> Setting:
    found = CORE_SETTINGS.get(key) or all_settings().get(key)
    if found is None:
        raise GitbenchError(
            ErrorCode.VALIDATION_FAILED,
            f"'{key}' is not a gitbench setting",
            phase="config",
            actions=(Action.OPEN_SETTINGS,),
            detail={"key": key, "known": sorted(all_settings())},
        )
    return found


def parse_value(spec: Setting, raw: str) -> int | float | bool | str:
    """Validate a value given as text (from the command line or git config)."""
    if spec.type == "bool":
        lowered = raw.strip().lower()
        if lowered in ("true", "yes", "on", "1"):
            return True
        if lowered in ("false", "no", "off", "0"):
            return False
        raise _bad_value(spec, raw, "expected true or false")
    if spec.type in ("int", "float"):
        return _parse_number(spec, raw)
    return raw


def _parse_number(spec: Setting, raw: str) -> int | float:
    convert = int if spec.type == "int" else float
    try:
        value = convert(raw.strip().replace("_", ""))
    except ValueError:
        raise _bad_value(
            spec, raw, f"expected a{' whole' if spec.type == 'int' else ''} number"
        ) from None
    if spec.minimum is not None and value < spec.minimum:
        raise _bad_value(spec, raw, f"must be at least {spec.minimum}")
    if spec.above is not None and value <= spec.above:
        raise _bad_value(spec, raw, f"must be more than {spec.above}")
    if spec.maximum is not None and value > spec.maximum:
        raise _bad_value(spec, raw, f"must be at most {spec.maximum}")
    return value


def _bad_value(spec: Setting, raw: str, why: str) -> GitbenchError:
    return GitbenchError(
        ErrorCode.VALIDATION_FAILED,
        f"bad value {raw!r} for '{spec.key}': {why}",
        phase="config",
        actions=(Action.OPEN_SETTINGS,),
        detail={"key": spec.key, "value": raw},
    )
