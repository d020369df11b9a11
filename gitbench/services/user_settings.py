"""The person's own settings, shared by all their workbenches: a TOML file in the platform's
config directory (platformdirs), validated by pydantic. API keys never live here."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Literal

import platformdirs
from pydantic import BaseModel, ConfigDict, ValidationError

from gitbench.errors import Action, ErrorCode, GitbenchError

FILE_NAME = "settings.toml"


class ProviderSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    base_url: str | None = None


class ModelSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    edit_format: Literal["json", "blocks", "udiff", "auto"] | None = None


class UserSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    default_model: str | None = None
    providers: dict[str, ProviderSettings] = {}
    models: dict[str, ModelSettings] = {}

    def provider(self, name: str) -> ProviderSettings:
        return self.providers.get(name, ProviderSettings())


def config_dir() -> Path:
    return platformdirs.user_config_path("gitbench", appauthor=False)


def load(folder: Path | None = None) -> UserSettings:
    """The settings, or defaults when there is no file; VALIDATION_FAILED names a bad field."""
    path = (folder or config_dir()) / FILE_NAME
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return UserSettings()
    except tomllib.TOMLDecodeError as exc:
        raise _invalid(path, f"not valid TOML: {exc}") from exc
    try:
        return UserSettings.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors(include_url=False, include_input=False)[0]
        field = ".".join(str(p) for p in first["loc"])
        raise _invalid(path, f"{field}: {first['msg']}", field) from exc


def save(settings: UserSettings, folder: Path | None = None) -> Path:
    """Write the file whole (temporary file, then rename)."""
    folder = folder or config_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / FILE_NAME
    tmp = path.with_suffix(".tmp")
    tmp.write_text(to_toml(settings), encoding="utf-8")
    tmp.replace(path)
    return path


def to_toml(settings: UserSettings) -> str:
    # JSON string escapes are valid TOML basic-string escapes, so json.dumps quotes safely.
    lines = ["# gitbench user settings (gitbench model default / gitbench providers ...)"]
    if settings.default_model:
        lines.append(f"default_model = {json.dumps(settings.default_model)}")
    for name, provider in sorted(settings.providers.items()):
        lines += ["", f"[providers.{name}]", f"enabled = {str(provider.enabled).lower()}"]
        if provider.base_url:
            lines.append(f"base_url = {json.dumps(provider.base_url)}")
    for model_id, model in sorted(settings.models.items()):
        if model.edit_format:
            lines += [
                "",
                f"[models.{json.dumps(model_id)}]",
                f"edit_format = {json.dumps(model.edit_format)}",
            ]
    return "\n".join(lines) + "\n"


def _invalid(path: Path, why: str, field: str | None = None) -> GitbenchError:
    return GitbenchError(
        ErrorCode.VALIDATION_FAILED,
        f"{path}: {why}",
        phase="user_settings",
        actions=(Action.OPEN_SETTINGS,),
        detail={"path": str(path), "field": field},
    )
