"""Provider API keys: from the environment, else the OS keyring, else a 0600 file.

On a machine where `keyring` has no backend (a headless Linux box), keys go to the file and
the commands say so. A key is never printed, logged or put in an error.
"""

from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path
from typing import Literal

from gitbench.config import Environment
from gitbench.providers.registry import PROVIDERS

KEY_FILE = "keys.toml"
SERVICE = "gitbench"
Source = Literal["environment", "keyring", "file", "none"]


def find_key(provider: str, env: Environment, folder: Path) -> tuple[str | None, Source]:
    """The key gitbench would use for `provider`, and where it comes from."""
    variable = PROVIDERS[provider].key_env
    if variable and variable in env.api_keys:
        return env.api_keys[variable], "environment"
    stored = _keyring_get(provider)
    if stored:
        return stored, "keyring"
    filed = _file_keys(folder).get(provider)
    return (filed, "file") if filed else (None, "none")


def store_key(provider: str, key: str, folder: Path) -> Source:
    """Keep `key` in the keyring when there is one, else in the 0600 key file."""
    if _keyring_set(provider, key):
        return "keyring"
    keys = _file_keys(folder)
    keys[provider] = key
    _write_file(folder, keys)
    return "file"


def forget_key(provider: str, folder: Path) -> None:
    _keyring_delete(provider)
    keys = _file_keys(folder)
    if keys.pop(provider, None) is not None:
        _write_file(folder, keys)


def key_file(folder: Path) -> Path:
    return folder / KEY_FILE


def _file_keys(folder: Path) -> dict[str, str]:
    try:
        data = tomllib.loads(key_file(folder).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    keys = data.get("keys", {})
    return {k: v for k, v in keys.items() if isinstance(v, str)} if isinstance(keys, dict) else {}


def _write_file(folder: Path, keys: dict[str, str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    tmp = key_file(folder).with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    # Created 0600 from the start: the key is never readable by others, not even briefly.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    body = "[keys]\n" + "".join(
        f"{name} = {json.dumps(value)}\n" for name, value in sorted(keys.items())
    )
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(body)
    tmp.replace(key_file(folder))


def _keyring_get(provider: str) -> str | None:
    import keyring
    from keyring.errors import KeyringError

    try:
        return keyring.get_password(SERVICE, provider)
    except KeyringError:  # no backend (headless Linux): the file is the store
        return None


def _keyring_set(provider: str, key: str) -> bool:
    import keyring
    from keyring.errors import KeyringError

    try:
        keyring.set_password(SERVICE, provider, key)
    except KeyringError:
        return False
    return True


def _keyring_delete(provider: str) -> None:
    import keyring
    from keyring.errors import KeyringError

    try:
        keyring.delete_password(SERVICE, provider)
    except KeyringError:  # no backend, or no such key: nothing to forget there
        return
