"""`gitbench config`: the workbench settings in the `[gitbench]` git config section."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gitbench.config import Setting, all_settings, parse_value, setting
from gitbench.services.models import SettingList, SettingValue
from gitbench.store import gitconfig
from gitbench.store.repo import Workbench

if TYPE_CHECKING:
    from gitbench.edits.settings import EditSettings


def read_setting(wb: Workbench, spec: Setting) -> int | float | bool | str:
    """The configured value, validated; the default when unset."""
    raw = gitconfig.get_value(wb, spec.git_key)
    return spec.default if raw is None else parse_value(spec, raw)


def get_setting(wb: Workbench, key: str) -> SettingValue:
    return _value(wb, setting(key))


def set_setting(wb: Workbench, key: str, raw: str) -> SettingValue:
    """Validate and store one setting; VALIDATION_FAILED names the key when it is refused."""
    spec = setting(key)
    value = parse_value(spec, raw)
    gitconfig.set_value(wb, spec.git_key, str(value).lower() if spec.type == "bool" else str(value))
    return _value(wb, spec)


def unset_setting(wb: Workbench, key: str) -> SettingValue:
    spec = setting(key)
    gitconfig.unset_value(wb, spec.git_key)
    return _value(wb, spec)


def edit_settings(wb: Workbench) -> EditSettings:
    """The safe-edit pipeline's knobs as this workbench configures them (`edits.*`)."""
    from gitbench.edits.settings import EditSettings

    values = {
        key.removeprefix("edits."): read_setting(wb, spec)
        for key, spec in all_settings().items()
        if key.startswith("edits.")
    }
    return EditSettings.model_validate(values)


def list_settings(wb: Workbench) -> SettingList:
    return SettingList(settings=[_value(wb, spec) for spec in all_settings().values()])


def _value(wb: Workbench, spec: Setting) -> SettingValue:
    value = read_setting(wb, spec)
    return SettingValue(
        key=spec.key,
        value=value,
        default=spec.default,
        is_default=value == spec.default,
        help=spec.help,
    )
