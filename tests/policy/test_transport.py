"""PolicyTransport decides before delegating: a refused request never reaches the inner
transport. `httpx.MockTransport` stands in for the network here, and only here (style.md)."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from gitbench.clock import FixedClock
from gitbench.errors import ErrorCode, GitbenchError
from gitbench.policy import consent, egress_log
from gitbench.policy.consent import ConfirmedEndpoint, ConsentBook, ConsentKey, Grant
from gitbench.policy.transport import EgressContext, PolicyTransport

KEY = ConsentKey("openai", "gpt-test", "a" * 64)


class Recorder:
    """The inner transport: records what reached it and answers with the queued response."""

    def __init__(self, *responses: httpx.Response) -> None:
        self.seen: list[httpx.Request] = []
        self.responses = list(responses) or [httpx.Response(200, json={"ok": True})]

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        return self.responses.pop(0)


def _client(
    tmp_path: Path, recorder: Recorder, clock: FixedClock, *, granted: bool = True
) -> httpx.Client:
    records = consent.consent_path(tmp_path)
    state = consent.ConsentState()
    if granted:
        state = state.with_grant(Grant(KEY, persisted=True, granted_at="2026-01-02T03:04:05Z"))
    state = state.with_endpoint(
        ConfirmedEndpoint("openai", "llm.example.org", 8443, "https://llm.example.org:8443", "t")
    )
    consent.save(records, state)
    context = EgressContext(
        key=KEY, book=ConsentBook(records), log=egress_log.log_path(tmp_path), clock=clock
    )
    transport = PolicyTransport(inner=httpx.MockTransport(recorder), context=context)
    return httpx.Client(transport=transport, follow_redirects=False)


def _events(tmp_path: Path) -> list[egress_log.EgressEvent]:
    return egress_log.read(egress_log.log_path(tmp_path))


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://api.openai.com/v1/chat/completions", "not_https"),
        ("https://api.openai.com@evil.com/v1", "userinfo"),
        ("https://127.0.0.1/v1", "ip_literal"),
        ("https://[::ffff:127.0.0.1]/v1", "ip_literal"),
        ("https://api.anthropic.com/v1/messages", "not_allowlisted"),
        ("https://llm.example.org:8444/v1", "not_allowlisted"),
        ("https://api.openai.com./v1", "not_canonical"),
    ],
)
def test_a_refused_request_never_reaches_the_inner_transport(
    tmp_path: Path, clock: FixedClock, url: str, reason: str
) -> None:
    recorder = Recorder()
    with _client(tmp_path, recorder, clock) as client, pytest.raises(GitbenchError) as caught:
        client.post(url, json={"prompt": "secret words"})
    assert caught.value.code is ErrorCode.EGRESS_BLOCKED_BY_POLICY
    assert caught.value.phase == "egress_policy"
    assert caught.value.detail["reason"] == reason
    assert recorder.seen == []
    [event] = _events(tmp_path)
    assert (event.outcome, event.reason, event.status) == ("blocked", reason, None)


def test_without_consent_nothing_is_sent(tmp_path: Path, clock: FixedClock) -> None:
    recorder = Recorder()
    with (
        _client(tmp_path, recorder, clock, granted=False) as client,
        pytest.raises(GitbenchError) as caught,
    ):
        client.post("https://api.openai.com/v1/chat/completions", json={})
    assert caught.value.code is ErrorCode.EGRESS_CONSENT_REQUIRED
    assert caught.value.phase == "consent"
    assert [a.value for a in caught.value.actions] == ["grant_consent", "switch_model"]
    assert recorder.seen == []
    assert [(e.outcome, e.reason) for e in _events(tmp_path)] == [("blocked", "no_consent")]


def test_a_revoke_takes_effect_at_the_next_request(tmp_path: Path, clock: FixedClock) -> None:
    recorder = Recorder()
    with _client(tmp_path, recorder, clock) as client:
        client.get("https://api.openai.com/v1/models")
        consent.save(consent.consent_path(tmp_path), consent.ConsentState())
        with pytest.raises(GitbenchError):
            client.get("https://api.openai.com/v1/models")
    assert len(recorder.seen) == 1


def test_an_allowed_request_is_logged_with_its_sizes(tmp_path: Path, clock: FixedClock) -> None:
    recorder = Recorder(httpx.Response(200, content=b"x" * 17))
    body = json.dumps({"messages": ["hello"]}).encode()
    with _client(tmp_path, recorder, clock) as client:
        response = client.post("https://llm.example.org:8443/v1/chat", content=body)
    assert response.content == b"x" * 17
    assert len(recorder.seen) == 1
    [event] = _events(tmp_path)
    assert event.outcome == "allowed"
    assert (event.host, event.port, event.status) == ("llm.example.org", 8443, 200)
    assert (event.bytes_sent, event.bytes_received) == (len(body), 17)
    assert (event.provider, event.model, event.scope_hash) == (KEY.provider, KEY.model, "a" * 64)
    assert event.time == "2026-01-02T03:04:05Z"


def test_a_redirect_to_another_host_is_an_error(tmp_path: Path, clock: FixedClock) -> None:
    moved = httpx.Response(307, headers={"location": "https://evil.com/v1/chat"})
    recorder = Recorder(moved)
    with _client(tmp_path, recorder, clock) as client, pytest.raises(GitbenchError) as caught:
        client.post("https://api.openai.com/v1/chat", json={})
    assert caught.value.code is ErrorCode.EGRESS_BLOCKED_BY_POLICY
    assert caught.value.detail["reason"] == "redirect_off_host"
    assert [(e.outcome, e.reason) for e in _events(tmp_path)] == [("blocked", "redirect_off_host")]


def test_a_redirect_on_the_same_host_is_returned_not_followed(
    tmp_path: Path, clock: FixedClock
) -> None:
    recorder = Recorder(httpx.Response(308, headers={"location": "/v2/chat"}))
    with _client(tmp_path, recorder, clock) as client:
        response = client.post("https://api.openai.com/v1/chat", json={})
    assert response.status_code == 308
    assert len(recorder.seen) == 1


def test_a_followed_redirect_is_checked_like_any_request(tmp_path: Path, clock: FixedClock) -> None:
    # Even if a caller asks httpx to follow, each hop passes the transport again.
    recorder = Recorder(httpx.Response(302, headers={"location": "http://api.openai.com/v1"}))
    with _client(tmp_path, recorder, clock) as client, pytest.raises(GitbenchError) as caught:
        client.get("https://api.openai.com/v1", follow_redirects=True)
    assert caught.value.detail["reason"] == "not_https"
    assert len(recorder.seen) == 1


def test_a_transport_failure_is_logged_and_passed_on(tmp_path: Path, clock: FixedClock) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    context = EgressContext(
        key=KEY,
        book=ConsentBook(consent.consent_path(tmp_path)),
        log=egress_log.log_path(tmp_path),
        clock=clock,
    )
    consent.save(context.book.path, consent.ConsentState(mode="allow-all"))
    transport = PolicyTransport(inner=httpx.MockTransport(refuse), context=context)
    with httpx.Client(transport=transport) as client, pytest.raises(httpx.ConnectError):
        client.get("https://api.openai.com/v1/models")
    assert [(e.outcome, e.reason) for e in _events(tmp_path)] == [("failed", "transport_error")]


def test_an_unparseable_redirect_counts_as_another_host(tmp_path: Path, clock: FixedClock) -> None:
    recorder = Recorder(httpx.Response(302, headers={"location": "https://[::1/x"}))
    with _client(tmp_path, recorder, clock) as client, pytest.raises(GitbenchError) as caught:
        client.get("https://api.openai.com/v1")
    assert caught.value.detail["reason"] == "redirect_off_host"


def test_unreadable_consent_records_grant_nothing(tmp_path: Path) -> None:
    path = consent.consent_path(tmp_path)
    for text in ("{not json", '{"mode": "everything"}', '{"grants": [{"provider": "x"}]}'):
        path.write_text(text)
        with pytest.raises(GitbenchError) as caught:
            ConsentBook(path).covers(KEY)
        assert caught.value.code is ErrorCode.FILE_READ_FAILED
        assert caught.value.phase == "consent"


def test_a_torn_last_log_line_is_skipped(tmp_path: Path) -> None:
    path = egress_log.log_path(tmp_path)
    event = egress_log.EgressEvent("t", "openai", "m", "h", 443, "s", "allowed")
    egress_log.append(path, event)
    with path.open("a") as handle:
        handle.write('{"time": "t", "provi')
    assert egress_log.read(path) == [event]
