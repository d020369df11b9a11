"""PolicyTransport: every request passes the egress rules and the consent check before the
inner transport (and so any socket) sees it; every decision is written to the egress log."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import httpx

from gitbench.clock import Clock, iso
from gitbench.errors import GitbenchError
from gitbench.policy import egress_log, rules
from gitbench.policy.consent import ConsentBook, ConsentKey
from gitbench.policy.egress_log import EgressEvent

# Providers pass the prompt's token estimate with each request under this extension name:
# `client.post(url, json=body, extensions={TOKENS_EXTENSION: n})`; it is logged, never sent.
TOKENS_EXTENSION = "gitbench_tokens"


@dataclass(frozen=True)
class EgressContext:
    """What one client is for: the consent it needs and where its decisions are logged."""

    key: ConsentKey
    book: ConsentBook
    log: Path
    clock: Clock


class PolicyTransport(httpx.BaseTransport):
    """Wraps the real transport; refuses with EGRESS_BLOCKED_BY_POLICY or
    EGRESS_CONSENT_REQUIRED before delegating (see httpx docs, "DebuggingTransport")."""

    def __init__(self, inner: httpx.BaseTransport, context: EgressContext) -> None:
        self.inner = inner
        self.context = context

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        dest = rules.destination_of(url.scheme, url.raw_host, url.port, url.userinfo)
        event = replace(
            _event(self.context, dest, sent=_bytes_sent(request)), tokens=_tokens(request)
        )
        _gate(self.context, dest, event)
        try:
            response = self.inner.handle_request(request)
        except Exception:
            # Providers translate the httpx error; the log still says the request went out.
            _write(self.context, replace(event, outcome="failed", reason="transport_error"))
            raise
        if response.is_redirect and _location_host(url, response) != dest.host:
            response.close()
            _write(self.context, replace(event, outcome="blocked", reason="redirect_off_host"))
            raise rules.blocked(
                rules.REASONS["redirect_off_host"], reason="redirect_off_host", host=dest.host
            )
        return _counting(response, lambda n: _write(self.context, _received(event, response, n)))

    def close(self) -> None:
        self.inner.close()


def preflight(context: EgressContext, url: str) -> None:
    """Check a destination without sending anything (a provider checks its base URL before
    building a prompt); a refusal is logged like a refused request."""
    dest = rules.parse_url(url)
    _gate(context, dest, _event(context, dest, sent=0))


def _gate(context: EgressContext, dest: rules.Destination, event: EgressEvent) -> None:
    key = context.key
    try:
        allowed = context.book.state().allowlist(key.provider)
        rules.check(dest, key.provider, allowed)
        context.book.require(key)
    except GitbenchError as refused:
        reason = str(refused.detail.get("reason") or "no_consent")
        _write(context, replace(event, outcome="blocked", reason=reason))
        raise


def _event(context: EgressContext, dest: rules.Destination, sent: int) -> EgressEvent:
    key = context.key
    return EgressEvent(
        time=iso(context.clock.now()),
        provider=key.provider,
        model=key.model,
        host=dest.host,
        port=dest.port,
        scope_hash=key.scope_hash,
        outcome="allowed",
        bytes_sent=sent,
    )


def _write(context: EgressContext, event: EgressEvent) -> None:
    egress_log.append(context.log, event)


def _bytes_sent(request: httpx.Request) -> int:
    length = request.headers.get("content-length")
    return int(length) if length and length.isdigit() else 0


def _tokens(request: httpx.Request) -> int | None:
    """The prompt's token count, when the provider passed it as a request extension."""
    tokens = request.extensions.get(TOKENS_EXTENSION)
    return tokens if isinstance(tokens, int) and not isinstance(tokens, bool) else None


def _location_host(url: httpx.URL, response: httpx.Response) -> str:
    try:
        target = url.join(response.headers["location"])  # is_redirect: there is a location
    except httpx.InvalidURL:
        return ""  # unparseable: treated as another host
    return target.raw_host.decode("ascii", "backslashreplace").lower()


def _received(event: EgressEvent, response: httpx.Response, n: int) -> EgressEvent:
    return replace(event, status=response.status_code, bytes_received=n)


class _CountingStream(httpx.SyncByteStream):
    """Counts the bytes of the body as they arrive; logs once, when the body is closed."""

    def __init__(self, inner: httpx.SyncByteStream, done: Callable[[int], None]) -> None:
        self.inner = inner
        self.done = done
        self.count = 0

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.inner:
            self.count += len(chunk)
            yield chunk

    def close(self) -> None:
        # httpx closes a response's stream once (Response.close is idempotent).
        self.inner.close()
        self.done(self.count)


def _counting(response: httpx.Response, done: Callable[[int], None]) -> httpx.Response:
    stream = response.stream
    assert isinstance(stream, httpx.SyncByteStream)  # a sync transport returns a sync stream
    return httpx.Response(
        response.status_code,
        headers=response.headers,
        stream=_CountingStream(stream, done),
        extensions=response.extensions,
    )
