"""One table from transport failures and HTTP statuses to gitbench's error codes (issue 5)."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx

from gitbench.errors import Action, ErrorCode, GitbenchError

_CONTEXT_OVERFLOW = re.compile(
    r"context[_ ]length|context window|too many tokens|maximum context|prompt is too long|token limit",
    re.IGNORECASE,
)
MAX_DETAIL = 300


def status_error(provider: str, response: httpx.Response, body: str) -> GitbenchError:
    """The error for a non-2xx answer; `body` is the provider's error text (never our request)."""
    status = response.status_code
    said = body[:MAX_DETAIL]
    detail: dict[str, object] = {"provider": provider, "status": status, "provider_message": said}
    if status in (401, 403):
        return GitbenchError(
            ErrorCode.PROVIDER_AUTH_FAILED,
            f"{provider} refused the credentials (HTTP {status})",
            phase="provider",
            actions=(Action.OPEN_SETTINGS, Action.SWITCH_MODEL),
            detail=detail,
        )
    if status == 429:
        detail["retry_after"] = retry_after(response)
        return GitbenchError(
            ErrorCode.PROVIDER_RATE_LIMITED,
            f"{provider} asked to slow down (HTTP 429)",
            phase="provider",
            actions=(Action.RETRY, Action.SWITCH_MODEL),
            retryable=True,
            detail=detail,
        )
    if status in (400, 413) and _CONTEXT_OVERFLOW.search(said):
        return GitbenchError(
            ErrorCode.CONTEXT_EXHAUSTED,
            f"the request does not fit the model's context window ({provider})",
            phase="provider",
            actions=(Action.SWITCH_MODEL,),
            detail=detail,
        )
    return GitbenchError(
        ErrorCode.PROVIDER_UNAVAILABLE,
        f"{provider} failed (HTTP {status})",
        phase="provider",
        actions=(Action.RETRY, Action.SWITCH_MODEL),
        retryable=status >= 500,
        detail=detail,
    )


def transport_error(provider: str, exc: httpx.TransportError) -> GitbenchError:
    if isinstance(exc, httpx.ConnectError):
        return GitbenchError(
            ErrorCode.NETWORK_UNAVAILABLE,
            f"cannot reach {provider}: {type(exc).__name__}",
            phase="provider",
            actions=(Action.RETRY,),
            retryable=True,
            detail={"provider": provider},
        )
    cut = isinstance(exc, (httpx.RemoteProtocolError, httpx.ReadError))
    what = "the answer stream was cut" if cut else f"{type(exc).__name__}"
    return GitbenchError(
        ErrorCode.PROVIDER_UNAVAILABLE,
        f"{provider}: {what}",
        phase="provider",
        actions=(Action.RETRY, Action.SWITCH_MODEL),
        retryable=True,
        detail={"provider": provider, "transport": type(exc).__name__},
    )


def malformed(provider: str, why: str) -> GitbenchError:
    """A stream that does not follow the provider's format, or ends before its last event."""
    return GitbenchError(
        ErrorCode.PROVIDER_UNAVAILABLE,
        f"{provider} sent a malformed or incomplete answer: {why}",
        phase="provider",
        subphase="stream",
        actions=(Action.RETRY,),
        retryable=True,
        detail={"provider": provider, "why": why},
    )


def retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def json_object(provider: str, data: str) -> dict[str, Any]:
    """One chunk or event of a stream, which every provider sends as a JSON object."""
    try:
        value = json.loads(data)
    except ValueError:
        raise malformed(provider, "a stream chunk is not JSON") from None
    if not isinstance(value, dict):
        raise malformed(provider, "a stream chunk is not a JSON object")
    return value
