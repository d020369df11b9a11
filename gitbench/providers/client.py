"""Calling a provider: build the request for its wire format, stream the answer through the
given (policy-wrapped) client, map failures, retry what is retryable before any output."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx

from gitbench.errors import GitbenchError
from gitbench.providers import anthropic, gemini, openai_compat
from gitbench.providers.events import ChatRequest, Event
from gitbench.providers.failures import status_error, transport_error
from gitbench.providers.registry import ProviderInfo
from gitbench.providers.sse import ServerEvent, parse_sse

MAX_RETRIES = 3
BACKOFF_SECONDS = 1.0
MAX_BACKOFF_SECONDS = 30.0


@dataclass(frozen=True)
class Endpoint:
    provider: ProviderInfo
    base_url: str
    key: str | None
    structured: bool


def wire_request(
    endpoint: Endpoint, request: ChatRequest
) -> tuple[str, dict[str, str], dict[str, Any]]:
    """(url, headers, json body) exactly as the provider's API documents them."""
    base = endpoint.base_url.rstrip("/")
    wire = endpoint.provider.wire
    if wire == "anthropic":
        return base + anthropic.PATH, anthropic.headers(endpoint.key), anthropic.build_body(request)
    if wire == "gemini":
        return (
            base + gemini.path(request.model),
            gemini.headers(endpoint.key),
            gemini.build_body(request),
        )
    body = openai_compat.build_body(request, structured=endpoint.structured)
    return base + openai_compat.PATH, openai_compat.headers(endpoint.key), body


def parse_wire(
    endpoint: Endpoint, request: ChatRequest, events: Iterator[ServerEvent]
) -> Iterator[Event]:
    name, wire = endpoint.provider.name, endpoint.provider.wire
    wants = request.response_schema is not None
    if wire == "anthropic":
        return anthropic.parse_stream(
            name, events, schema_name=request.schema_name if wants else None
        )
    if wire == "gemini":
        return gemini.parse_stream(name, events, schema_name=request.schema_name if wants else None)
    return openai_compat.parse_stream(name, events, structured=wants)


def stream_chat(
    client: httpx.Client,
    endpoint: Endpoint,
    request: ChatRequest,
    *,
    sleep: Callable[[float], None] = time.sleep,
    max_retries: int = MAX_RETRIES,
) -> Iterator[Event]:
    """The answer as events. Retryable failures are retried with exponential backoff (honouring
    Retry-After) only while nothing has been yielded: a half answer is never restarted or
    passed off as whole. Ctrl-C closes the connection (the caller reports USER_CANCELED)."""
    call = _Call(client, endpoint, request, *wire_request(endpoint, request))
    for attempt in range(max_retries + 1):
        yielded = False
        try:
            for event in call.events():
                yielded = True
                yield event
        except GitbenchError as error:
            if yielded or not error.retryable or attempt == max_retries:
                raise
            sleep(_delay(error, attempt))
        else:
            return


@dataclass(frozen=True)
class _Call:
    client: httpx.Client
    endpoint: Endpoint
    request: ChatRequest
    url: str
    headers: dict[str, str]
    body: dict[str, Any]

    def events(self) -> Iterator[Event]:
        name = self.endpoint.provider.name
        try:
            with self.client.stream(
                "POST", self.url, headers=self.headers, json=self.body
            ) as reply:
                if reply.status_code >= 300:
                    text = reply.read().decode("utf-8", errors="replace")
                    raise status_error(name, reply, text)
                yield from parse_wire(self.endpoint, self.request, parse_sse(reply.iter_lines()))
        except httpx.TransportError as exc:
            raise transport_error(name, exc) from exc


def _delay(error: GitbenchError, attempt: int) -> float:
    asked = error.detail.get("retry_after")
    wait = float(asked) if isinstance(asked, (int, float)) else BACKOFF_SECONDS * 2.0**attempt
    return min(wait, MAX_BACKOFF_SECONDS)
