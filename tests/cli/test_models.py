from __future__ import annotations

import stat
from pathlib import Path

import pytest

from tests.cli.common import ok
from tests.support.cli import run
from tests.support.gitcli import git


@pytest.fixture
def config_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "xdg"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    for name in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GEMINI_API_KEY", "MISTRAL_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    return home / "gitbench"


def _model(rows: list[dict[str, object]], model_id: str) -> dict[str, object]:
    return next(r for r in rows if r["id"] == model_id)


def test_models_are_usable_once_their_provider_has_a_key(
    bench_path: Path, config_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = ok(bench_path, "models")["models"]
    assert _model(rows, "openai:gpt-4.1")["usable"] is False
    assert "OPENAI_API_KEY" in str(_model(rows, "openai:gpt-4.1")["why_not"])
    assert _model(rows, "ollama:qwen2.5-coder")["usable"] is True  # local: no key needed
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env")
    assert _model(ok(bench_path, "models")["models"], "openai:gpt-4.1")["usable"] is True


def test_a_key_typed_in_lands_in_a_0600_file_and_is_never_printed(
    bench_path: Path, config_home: Path
) -> None:
    secret = "sk-test-planted-0123456789"
    result = run(bench_path, "--json", "providers", "set-key", "anthropic", input=secret + "\n")
    assert result.exit_code == 0
    assert secret not in result.stdout + result.stderr
    key_file = config_home / "keys.toml"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert secret in key_file.read_text()
    listing = run(bench_path, "--json", "providers")
    assert secret not in listing.stdout
    (row,) = [p for p in listing.json()["result"]["providers"] if p["name"] == "anthropic"]
    assert row["key"] == "file"
    assert (
        _model(ok(bench_path, "models")["models"], "anthropic:claude-sonnet-4-5")["usable"] is True
    )
    ok(bench_path, "providers", "clear-key", "anthropic")
    assert secret not in key_file.read_text()


def test_defaults_at_three_levels_and_status_shows_the_source(
    bench_path: Path, config_home: Path
) -> None:
    assert ok(bench_path, "model", "default")["source"] == "none"
    ok(bench_path, "model", "default", "anthropic:claude-sonnet-4-5")
    assert ok(bench_path, "status")["model"] == {
        "id": "anthropic:claude-sonnet-4-5",
        "source": "user",
    }
    ok(bench_path, "model", "default", "openai:gpt-4.1", "--workbench")
    assert ok(bench_path, "status")["model"] == {"id": "openai:gpt-4.1", "source": "workbench"}
    assert git("config", "gitbench.model.default", cwd=bench_path) == "openai:gpt-4.1"
    assert "anthropic:claude-sonnet-4-5" in (config_home / "settings.toml").read_text()


def test_unknown_models_and_providers_are_refused(bench_path: Path, config_home: Path) -> None:
    for args in (("model", "default", "gpt-4.1"), ("providers", "enable", "nosuch")):
        result = run(bench_path, "--json", *args)
        assert result.exit_code == 1
        assert result.error_code == "VALIDATION_FAILED"
    assert not (config_home / "settings.toml").exists()


def test_disabled_providers_and_urls(bench_path: Path, config_home: Path) -> None:
    ok(bench_path, "providers", "disable", "ollama")
    assert (
        _model(ok(bench_path, "models")["models"], "ollama:llama3.1")["why_not"]
        == "provider disabled"
    )
    ok(bench_path, "providers", "enable", "ollama")
    row = ok(bench_path, "providers", "set-url", "ollama", "http://localhost:9999/v1", "--yes")
    assert row["base_url"] == "http://localhost:9999/v1" and row["custom_url"] is True
    refused = run(
        bench_path, "--json", "providers", "set-url", "openai", "http://example.com/v1", "--yes"
    )
    assert refused.error_code == "EGRESS_BLOCKED_BY_POLICY"
    unconfirmed = run(
        bench_path, "--json", "providers", "set-url", "openai", "https://proxy.example.com/v1"
    )
    assert unconfirmed.error_code == "USER_CANCELED"


def test_a_broken_settings_file_names_the_bad_field(bench_path: Path, config_home: Path) -> None:
    config_home.mkdir(parents=True)
    (config_home / "settings.toml").write_text("[providers.openai]\nenabled = 'maybe'\n")
    result = run(bench_path, "--json", "models")
    assert result.error_code == "VALIDATION_FAILED"
    assert result.json()["error"]["detail"]["field"] == "providers.openai.enabled"
    assert (config_home / "settings.toml").exists()  # loses nothing
