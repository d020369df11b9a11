"""The policy-wrapped httpx client. `services/wiring.py` is the only caller: nothing else in
gitbench builds an HTTP client."""

from __future__ import annotations

import ssl

import httpx

from gitbench.policy.transport import EgressContext, PolicyTransport

Client = httpx.Client  # re-exported so that services can name the type without importing httpx

# Generous for a model call; the provider layer may pass its own per request.
DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=10.0)


def build_client(context: EgressContext, verify: ssl.SSLContext | bool = True) -> Client:
    """A client whose every request passes the PolicyTransport.

    `follow_redirects=False`: a redirect is the caller's to see (and the transport refuses one
    to another host). `trust_env=False`: proxy variables and .netrc would send the request
    (and its key) somewhere the allowlist never named.
    """
    inner = httpx.HTTPTransport(verify=verify, trust_env=False)
    return httpx.Client(
        transport=PolicyTransport(inner=inner, context=context),
        follow_redirects=False,
        trust_env=False,
        timeout=DEFAULT_TIMEOUT,
    )
