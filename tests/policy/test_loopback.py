"""The production client (services/wiring.py) against a real loopback HTTPS server: every
blocked case records zero requests and zero connections; the allowed one goes through and
is logged."""

from __future__ import annotations

from pathlib import Path

import pytest

from gitbench.clock import FixedClock
from gitbench.errors import ErrorCode, GitbenchError
from gitbench.policy import egress_log
from gitbench.services.consent import current_scope
from gitbench.services.session import open_bench
from gitbench.services.wiring import egress_client
from gitbench.store.repo import Workbench
from tests.support.cli import run
from tests.support.provider_server import ProviderServer, Reply

MODEL = "gpt-test"
CHAT = {"model": MODEL, "messages": [{"role": "user", "content": "hello"}]}


def grant(bench: Path, *extra: str) -> None:
    done = run(bench, "--json", "consent", "grant", "--provider", "openai", "--model", MODEL,
               "--yes", *extra)  # fmt: skip
    assert done.exit_code == 0, done.stdout


def events(wb: Workbench) -> list[egress_log.EgressEvent]:
    return egress_log.read(egress_log.log_path(wb.state_dir))


def untouched(server: ProviderServer) -> bool:
    return server.requests == [] and server.connections == 0


def test_the_allowed_case_goes_through_and_is_logged(
    bench_path: Path, wb: Workbench, provider: ProviderServer
) -> None:
    grant(bench_path, "--persist", "--base-url", provider.url + "/v1")
    provider.reply_json({"id": "r1", "choices": []})
    with egress_client(wb, provider="openai", model=MODEL, ca_bundle=provider.ca_pem) as client:
        response = client.post(provider.url + "/v1/chat/completions", json=CHAT)
    assert response.json() == {"id": "r1", "choices": []}
    [seen] = provider.requests
    assert (seen.method, seen.path, seen.json()) == ("POST", "/v1/chat/completions", CHAT)
    [event] = events(wb)
    assert (event.outcome, event.status, event.host, event.port) == (
        "allowed", 200, "localhost", provider.port)  # fmt: skip
    assert event.bytes_sent == len(seen.body) and event.bytes_received > 0
    assert event.scope_hash == current_scope(wb).scope_hash


def test_a_streamed_reply_is_counted_when_the_body_is_read(
    bench_path: Path, wb: Workbench, provider: ProviderServer
) -> None:
    grant(bench_path, "--persist", "--base-url", provider.url)
    provider.reply(Reply(chunks=(b"data: a\n\n", b"data: b\n\n"), headers=()))
    with (
        egress_client(wb, provider="openai", model=MODEL, ca_bundle=provider.ca_pem) as client,
        client.stream("POST", provider.url + "/v1/chat", json=CHAT) as response,
    ):
        assert b"".join(response.iter_bytes()) == b"data: a\n\ndata: b\n\n"
    [event] = events(wb)
    assert event.bytes_received == 18


def test_no_consent_fails_before_a_client_exists(wb: Workbench, provider: ProviderServer) -> None:
    with pytest.raises(GitbenchError) as caught:
        egress_client(wb, provider="openai", model=MODEL, ca_bundle=provider.ca_pem)
    assert caught.value.code is ErrorCode.EGRESS_CONSENT_REQUIRED
    assert caught.value.phase == "consent"
    assert [a.value for a in caught.value.actions] == ["grant_consent", "switch_model"]
    assert untouched(provider)


def test_consent_for_another_model_does_not_count(
    bench_path: Path, wb: Workbench, provider: ProviderServer
) -> None:
    grant(bench_path, "--persist", "--base-url", provider.url)
    with pytest.raises(GitbenchError) as caught:
        egress_client(wb, provider="openai", model="gpt-other", ca_bundle=provider.ca_pem)
    assert caught.value.code is ErrorCode.EGRESS_CONSENT_REQUIRED
    assert untouched(provider)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("{url}/v1/chat", "not_allowlisted"),  # consent, but the base URL was never confirmed
        ("http://localhost:{port}/v1/chat", "not_https"),
        ("https://127.0.0.1:{port}/v1/chat", "ip_literal"),
        ("https://[::ffff:127.0.0.1]:{port}/v1/chat", "ip_literal"),
        ("https://2130706433:{port}/v1/chat", "ip_literal"),
        ("https://api.openai.com@localhost:{port}/v1/chat", "userinfo"),
        ("https://localhost.:{port}/v1/chat", "not_canonical"),
    ],
)
def test_blocked_requests_never_reach_the_server(
    bench_path: Path, wb: Workbench, provider: ProviderServer, url: str, reason: str
) -> None:
    grant(bench_path, "--persist")
    target = url.format(url=provider.url, port=provider.port)
    with (
        egress_client(wb, provider="openai", model=MODEL, ca_bundle=provider.ca_pem) as client,
        pytest.raises(GitbenchError) as caught,
    ):
        client.post(target, json=CHAT)
    assert caught.value.code is ErrorCode.EGRESS_BLOCKED_BY_POLICY
    assert (caught.value.phase, caught.value.detail["reason"]) == ("egress_policy", reason)
    assert untouched(provider)
    assert [(e.outcome, e.reason) for e in events(wb)] == [("blocked", reason)]


def test_a_confirmed_base_url_counts_for_its_provider_only(
    bench_path: Path, wb: Workbench, provider: ProviderServer
) -> None:
    grant(bench_path, "--persist", "--base-url", provider.url)
    ok = run(bench_path, "--json", "consent", "grant", "--provider", "anthropic", "--model",
             MODEL, "--yes", "--persist")  # fmt: skip
    assert ok.exit_code == 0
    with (
        egress_client(wb, provider="anthropic", model=MODEL, ca_bundle=provider.ca_pem) as client,
        pytest.raises(GitbenchError) as caught,
    ):
        client.post(provider.url + "/v1/messages", json=CHAT)
    assert caught.value.detail["reason"] == "not_allowlisted"
    assert untouched(provider)


def test_a_redirect_to_another_host_is_refused_and_not_followed(
    bench_path: Path, wb: Workbench, provider: ProviderServer
) -> None:
    grant(bench_path, "--persist", "--base-url", provider.url)
    provider.reply(Reply(307, headers=(("location", "https://evil.example/steal"),)))
    with (
        egress_client(wb, provider="openai", model=MODEL, ca_bundle=provider.ca_pem) as client,
        pytest.raises(GitbenchError) as caught,
    ):
        client.post(provider.url + "/v1/chat", json=CHAT)
    assert caught.value.detail["reason"] == "redirect_off_host"
    assert len(provider.requests) == 1


def test_the_server_certificate_must_verify(
    bench_path: Path, wb: Workbench, provider: ProviderServer
) -> None:
    import httpx

    grant(bench_path, "--persist", "--base-url", provider.url)
    # Without the test CA the handshake fails: TLS verification is on in the wiring.
    with (
        egress_client(wb, provider="openai", model=MODEL) as client,
        pytest.raises(httpx.ConnectError),
    ):
        client.post(provider.url + "/v1/chat", json=CHAT)
    assert provider.requests == []
    assert [(e.outcome, e.reason) for e in events(wb)] == [("failed", "transport_error")]


def test_a_session_grant_lasts_for_one_command(
    bench_path: Path, clock: FixedClock, provider: ProviderServer
) -> None:
    grant(bench_path, "--base-url", provider.url)  # no --persist
    provider.reply_json({"n": 1})
    provider.reply_json({"n": 2})
    first = open_bench(bench_path, clock=clock)
    with egress_client(first, provider="openai", model=MODEL, ca_bundle=provider.ca_pem) as client:
        assert client.post(provider.url + "/v1/chat", json=CHAT).json() == {"n": 1}
        assert client.post(provider.url + "/v1/chat", json=CHAT).json() == {"n": 2}
    second = open_bench(bench_path, clock=clock)
    with pytest.raises(GitbenchError) as caught:
        egress_client(second, provider="openai", model=MODEL, ca_bundle=provider.ca_pem)
    assert caught.value.code is ErrorCode.EGRESS_CONSENT_REQUIRED
    assert len(provider.requests) == 2


def test_adding_a_file_changes_the_scope_and_needs_new_consent(
    bench_path: Path, wb: Workbench, work_dir: Path, provider: ProviderServer
) -> None:
    grant(bench_path, "--persist", "--base-url", provider.url)
    before = current_scope(wb).scope_hash
    (work_dir / "new.md").write_text("new\n")
    assert run(bench_path, "--json", "add", str(work_dir / "new.md")).exit_code == 0
    assert current_scope(wb).scope_hash != before
    with pytest.raises(GitbenchError) as caught:
        egress_client(wb, provider="openai", model=MODEL, ca_bundle=provider.ca_pem)
    assert caught.value.code is ErrorCode.EGRESS_CONSENT_REQUIRED
    assert untouched(provider)


def test_publishing_a_draft_keeps_the_scope(
    bench_path: Path, wb: Workbench, work_dir: Path
) -> None:
    (work_dir / "one.md").write_text("one\n")
    assert run(bench_path, "--json", "add", str(work_dir / "one.md")).exit_code == 0
    scope = current_scope(wb)
    assert scope.source == "trailer"
    (work_dir / "made.md").write_text("drafted\n")
    put = run(bench_path, "--json", "put", "made.md", "--from", str(work_dir / "made.md"))
    assert put.exit_code == 0, put.stdout
    assert run(bench_path, "--json", "publish", "--yes").exit_code == 0
    after = current_scope(wb)
    assert after.scope_hash == scope.scope_hash
    assert "made.md" in after.files


def test_a_base_url_is_checked_before_any_prompt_is_built(
    bench_path: Path, wb: Workbench, provider: ProviderServer
) -> None:
    grant(bench_path, "--persist")
    with pytest.raises(GitbenchError) as caught:
        egress_client(wb, provider="openai", model=MODEL, base_url=provider.url + "/v1")
    assert caught.value.code is ErrorCode.EGRESS_BLOCKED_BY_POLICY
    assert caught.value.detail["reason"] == "not_allowlisted"
    assert "--base-url" in caught.value.detail["hint"]
    assert untouched(provider)
    assert [(e.outcome, e.bytes_sent) for e in events(wb)] == [("blocked", 0)]


def test_a_confirmed_base_url_passes_the_preflight(
    bench_path: Path, wb: Workbench, provider: ProviderServer
) -> None:
    grant(bench_path, "--persist", "--base-url", provider.url + "/v1")
    provider.reply_json({"data": []})
    with egress_client(
        wb, provider="openai", model=MODEL, base_url=provider.url + "/v1", ca_bundle=provider.ca_pem
    ) as client:
        assert client.get(provider.url + "/v1/models").json() == {"data": []}
    assert [e.outcome for e in events(wb)] == ["allowed"]


def test_the_token_count_a_provider_passes_is_logged(
    bench_path: Path, wb: Workbench, provider: ProviderServer
) -> None:
    from gitbench.policy.transport import TOKENS_EXTENSION

    grant(bench_path, "--persist", "--base-url", provider.url)
    provider.reply_json({"ok": True})
    provider.reply_json({"ok": True})
    with egress_client(wb, provider="openai", model=MODEL, ca_bundle=provider.ca_pem) as client:
        client.post(provider.url + "/v1/chat", json=CHAT, extensions={TOKENS_EXTENSION: 1234})
        client.post(provider.url + "/v1/chat", json=CHAT, extensions={TOKENS_EXTENSION: "many"})
    assert [e.tokens for e in events(wb)] == [1234, None]
    assert all(TOKENS_EXTENSION not in r.headers for r in provider.requests)


def test_a_chat_session_passes_the_grants_it_holds(wb: Workbench, provider: ProviderServer) -> None:
    from gitbench.policy.consent import ConsentKey

    held = frozenset({ConsentKey("ollama", "llama3", current_scope(wb).scope_hash)})
    with (
        egress_client(wb, provider="ollama", model="llama3", session=held) as client,
        pytest.raises(GitbenchError) as caught,
    ):
        client.get(f"http://127.0.0.1:{provider.port}/api/tags")
    assert caught.value.detail["reason"] == "ip_literal"  # consent held; the rules still apply
    assert untouched(provider)


def test_a_refused_base_url_does_not_use_up_a_session_grant(
    bench_path: Path, wb: Workbench, provider: ProviderServer
) -> None:
    grant(bench_path)  # session-only, and the loopback URL was never confirmed
    with pytest.raises(GitbenchError) as caught:
        egress_client(wb, provider="openai", model=MODEL, base_url=provider.url)
    assert caught.value.detail["reason"] == "not_allowlisted"
    [kept] = run(bench_path, "--json", "consent").json()["result"]["grants"]
    assert kept["persisted"] is False
    assert untouched(provider)
