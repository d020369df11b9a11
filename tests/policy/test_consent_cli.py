"""gitbench consent / consent grant / revoke / mode and gitbench egress log, through the CLI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from gitbench.errors import ErrorCode, GitbenchError
from gitbench.policy.consent import consent_path
from gitbench.services.wiring import egress_client
from gitbench.store.repo import Workbench
from tests.cli.common import actions, ok, refused, refused_human
from tests.support.cli import run

GRANT = ("consent", "grant", "--provider", "openai", "--model", "gpt-test")


def test_status_of_a_fresh_workbench_lists_the_scope(bench_path: Path) -> None:
    status = ok(bench_path, "consent")
    assert status["mode"] == "ask"
    assert status["grants"] == [] and status["endpoints"] == []
    assert sorted(status["files"]) == ["data.bin", "docs/guide.md", "notes.md"]
    assert status["scope_source"] == "tree"
    assert len(status["scope_hash"]) == 64


def test_grant_without_yes_is_canceled_and_records_nothing(bench_path: Path) -> None:
    error = refused(bench_path, *GRANT, "--persist", code=ErrorCode.USER_CANCELED, phase="confirm")
    assert error["exit_status"] == 4
    assert not consent_path(bench_path / ".git" / "gitbench").exists()


def test_grant_shows_what_would_leave_before_asking(bench_path: Path) -> None:
    result = refused_human(bench_path, *GRANT, code=ErrorCode.USER_CANCELED, phase="confirm")
    assert "api.openai.com:443" in result.stderr
    for path in ("data.bin", "docs/guide.md", "notes.md"):
        assert path in result.stderr


def test_a_persisted_grant_shows_in_status(bench_path: Path) -> None:
    granted = ok(bench_path, *GRANT, "--persist", "--yes")
    assert granted["plan"]["hosts"] == ["api.openai.com:443"]
    assert granted["plan"]["kind"] == "cloud"
    [grant] = ok(bench_path, "consent")["grants"]
    assert grant["persisted"] is True and grant["current_scope"] is True
    assert (grant["provider"], grant["model"]) == ("openai", "gpt-test")
    human = run(bench_path, "consent")
    assert "persisted" in human.stdout and "gpt-test" in human.stdout


def test_a_local_provider_is_labelled_no_egress(bench_path: Path) -> None:
    plan = ok(bench_path, "consent", "grant", "--provider", "ollama", "--model", "llama3",
              "--yes")["plan"]  # fmt: skip
    assert (plan["kind"], plan["label"], plan["hosts"]) == (
        "local",
        "local, no egress",
        ["localhost"],
    )
    [grant] = ok(bench_path, "consent")["grants"]
    assert grant["persisted"] is False


@pytest.mark.parametrize(
    ("args", "code", "phase"),
    [
        (("--provider", "evilcorp", "--model", "m"), ErrorCode.PROVIDER_NOT_CONFIGURED, "egress_policy"),
        (("--provider", "openai", "--model", "a b"), ErrorCode.VALIDATION_FAILED, "validating"),
        (("--provider", "openai", "--model", "m", "--base-url", "http://llm.example.org"),
         ErrorCode.EGRESS_BLOCKED_BY_POLICY, "egress_policy"),
        (("--provider", "openai", "--model", "m", "--base-url", "https://10.1.2.3/v1"),
         ErrorCode.EGRESS_BLOCKED_BY_POLICY, "egress_policy"),
    ],
)  # fmt: skip
def test_bad_grants_are_refused(
    bench_path: Path, args: tuple[str, ...], code: ErrorCode, phase: str
) -> None:
    refused(bench_path, "consent", "grant", *args, "--yes", code=code, phase=phase)
    assert not consent_path(bench_path / ".git" / "gitbench").exists()


def test_a_base_url_is_confirmed_with_the_grant(bench_path: Path) -> None:
    granted = ok(
        bench_path, *GRANT, "--yes", "--persist", "--base-url", "https://llm.example.org:8443/v1/"
    )
    assert granted["plan"]["hosts"] == ["api.openai.com:443", "llm.example.org:8443"]
    [endpoint] = ok(bench_path, "consent")["endpoints"]
    assert endpoint["base_url"] == "https://llm.example.org:8443/v1"
    assert (endpoint["provider"], endpoint["host"], endpoint["port"]) == (
        "openai",
        "llm.example.org",
        8443,
    )


def test_revoke_removes_matching_grants_only(bench_path: Path) -> None:
    ok(bench_path, *GRANT, "--yes", "--persist")
    ok(
        bench_path,
        "consent",
        "grant",
        "--provider",
        "anthropic",
        "--model",
        "claude",
        "--yes",
        "--persist",
    )
    revoked = ok(bench_path, "consent", "revoke", "--provider", "anthropic")
    assert [g["provider"] for g in revoked["revoked"]] == ["anthropic"]
    assert [g["provider"] for g in ok(bench_path, "consent")["grants"]] == ["openai"]
    assert "revoked" in run(bench_path, "consent", "revoke").stdout
    assert ok(bench_path, "consent")["grants"] == []
    assert "Nothing to revoke" in run(bench_path, "consent", "revoke").stdout


def test_revoke_all_forgets_endpoints_and_resets_the_mode(bench_path: Path) -> None:
    ok(bench_path, *GRANT, "--yes", "--base-url", "https://llm.example.org")
    ok(bench_path, "consent", "mode", "allow-all", "--i-understand")
    revoked = ok(bench_path, "consent", "revoke", "--all")
    assert revoked["mode"] == "ask"
    assert [e["host"] for e in revoked["endpoints_forgotten"]] == ["llm.example.org"]
    status = ok(bench_path, "consent")
    assert (status["mode"], status["grants"], status["endpoints"]) == ("ask", [], [])


def test_allow_all_needs_i_understand_and_shows_in_status(bench_path: Path) -> None:
    refused(
        bench_path, "consent", "mode", "allow-all", code=ErrorCode.USER_CANCELED, phase="confirm"
    )
    changed = ok(bench_path, "consent", "mode", "allow-all", "--i-understand")
    assert (changed["previous"], changed["mode"]) == ("ask", "allow-all")
    assert "allow-all" in run(bench_path, "consent").stdout
    assert ok(bench_path, "consent", "mode", "ask")["mode"] == "ask"


def test_egress_log_lists_decisions(bench_path: Path, wb: Workbench) -> None:
    assert ok(bench_path, "egress", "log")["events"] == []
    assert "No requests recorded" in run(bench_path, "egress", "log").stdout
    ok(bench_path, *GRANT, "--yes", "--persist")
    with (
        egress_client(wb, provider="openai", model="gpt-test") as client,
        pytest.raises(GitbenchError),
    ):
        client.get("https://evil.example/v1/models")
    [event] = ok(bench_path, "egress", "log")["events"]
    assert (event["outcome"], event["reason"], event["host"]) == (
        "blocked",
        "not_allowlisted",
        "evil.example",
    )
    assert "not_allowlisted" in run(bench_path, "egress", "log").stdout


def test_allow_all_still_applies_the_egress_rules(bench_path: Path, wb: Workbench) -> None:
    ok(bench_path, "consent", "mode", "allow-all", "--i-understand")
    with (
        egress_client(wb, provider="mistral", model="any") as client,
        pytest.raises(GitbenchError) as caught,
    ):
        client.get("http://api.mistral.ai/v1/models")
    assert caught.value.detail["reason"] == "not_https"


def test_consent_refused_outside_a_workbench(tmp_path: Path) -> None:
    result = run(tmp_path, "--json", "consent")
    assert result.error_code == "NOT_A_WORKBENCH"
    assert actions(result.json()["error"]) == []


def _modules_loaded_by(argv: list[str]) -> set[str]:
    probe = (
        "import sys\nfrom gitbench.cli.main import cli\n"
        f"try:\n    cli.main({argv!r}, prog_name='gitbench')\nexcept SystemExit:\n    pass\n"
        "print(' '.join(sorted(sys.modules)))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(done.stdout.split())


@pytest.mark.parametrize("command", [["consent"], ["egress", "log"], ["consent", "revoke"]])
def test_consent_bookkeeping_does_not_import_httpx(bench_path: Path, command: list[str]) -> None:
    loaded = _modules_loaded_by(["-C", str(bench_path), *command, "--json"])
    assert "pygit2" in loaded  # the probe did run the command
    assert "httpx" not in loaded


def test_human_output_of_grant_mode_and_revoke(bench_path: Path) -> None:
    granted = run(bench_path, *GRANT, "--yes", "--base-url", "https://llm.example.org")
    assert "for the next command" in granted.stdout
    persisted = run(bench_path, *GRANT, "--yes", "--persist")
    assert "until revoked" in persisted.stdout
    status = run(bench_path, "consent")
    assert "llm.example.org" in status.stdout
    assert (
        "ask -> allow-all"
        in run(bench_path, "consent", "mode", "allow-all", "--i-understand").stdout
    )
    revoked = run(bench_path, "consent", "revoke", "--all").stdout
    assert "revoked  openai / gpt-test" in revoked and "forgot   openai" in revoked
    assert "Mode is ask" in revoked


def test_a_long_scope_is_shortened_for_people_but_not_for_json(tmp_path: Path) -> None:
    from tests.support.benches import make_bench

    root = make_bench(tmp_path / "big", {f"f{n:02}.md": "x\n" for n in range(25)})
    assert "... and 5 more" in run(root, "consent").stdout
    assert len(ok(root, "consent")["files"]) == 25
