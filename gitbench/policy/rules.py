"""The egress rules as pure functions: a destination is allowed or refused, with a reason.

The transport checks the URL exactly as httpx will connect to it (`raw_host`, the resolved
port), so there is no second parser whose idea of the host could differ from the one used
for the connection (the classic userinfo/backslash bypasses live in such differences).
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Literal

from gitbench.errors import Action, ErrorCode, GitbenchError

ProviderKind = Literal["cloud", "local"]

# The official endpoints: the only hosts a cloud provider may reach without a confirmed base URL.
BUILTIN_HOSTS: dict[str, str] = {
    "openai": "api.openai.com",
    "anthropic": "api.anthropic.com",
    "google": "generativelanguage.googleapis.com",
    "mistral": "api.mistral.ai",
}
LOCAL_PROVIDERS = frozenset({"ollama", "llamacpp", "vllm", "lmstudio"})
LOCAL_LABEL = "local, no egress"
# Only the name: an IP literal is refused in every form, and other loopback aliases depend
# on /etc/hosts, which varies between machines.
LOOPBACK_NAMES = frozenset({"localhost"})

_HOST_CHARS = re.compile(r"^[a-z0-9.-]+$")
# A last label that is a number (decimal, 0x hex, octal) makes the whole host an IPv4
# address to inet_aton and to browsers (WHATWG "ends in a number"): 127.1, 0x7f.1, 2130706433.
_NUMERIC_LABEL = re.compile(r"^(0x[0-9a-f]*|[0-9]+)$")


@dataclass(frozen=True)
class Destination:
    """Where a request would go, as the connection would see it."""

    scheme: str
    host: str
    port: int
    has_userinfo: bool


@dataclass(frozen=True)
class Endpoint:
    """An allowlisted host and port for one provider."""

    host: str
    port: int = 443

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"


def provider_kind(provider: str) -> ProviderKind:
    """Local providers talk to a server on this machine; every other provider is cloud."""
    if provider in LOCAL_PROVIDERS:
        return "local"
    if provider in BUILTIN_HOSTS:
        return "cloud"
    raise GitbenchError(
        ErrorCode.PROVIDER_NOT_CONFIGURED,
        f"unknown provider {provider!r}",
        phase="egress_policy",
        actions=(Action.SWITCH_MODEL,),
        detail={"known": sorted(BUILTIN_HOSTS) + sorted(LOCAL_PROVIDERS)},
    )


def builtin_allowlist(provider: str) -> frozenset[Endpoint]:
    host = BUILTIN_HOSTS.get(provider)
    return frozenset({Endpoint(host)}) if host else frozenset()


def destination_of(scheme: str, raw_host: bytes, port: int | None, userinfo: bytes) -> Destination:
    """The destination of an already-parsed httpx URL (what the connection will use)."""
    default = 443 if scheme == "https" else 80
    host = raw_host.decode("ascii", "backslashreplace").lower()
    return Destination(scheme, host, port or default, bool(userinfo))


def parse_url(url: str) -> Destination:
    """Parse `url` the way httpx will when sending; EGRESS_BLOCKED_BY_POLICY when it cannot."""
    import httpx  # here, not at the top: `consent` status must not pay for httpx

    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError):
        # Not chained: httpx's message may quote the URL, and a query string can hold a key.
        raise blocked("the URL cannot be parsed", reason="invalid_url") from None
    return destination_of(parsed.scheme, parsed.raw_host, parsed.port, parsed.userinfo)


def is_ip_literal(host: str) -> bool:
    """True for an IP address in any spelling a resolver or a browser accepts as one."""
    bare = host.strip("[]").rstrip(".")
    if ":" in bare:
        return True  # IPv6 (including IPv4-mapped and zone ids); no host name has a colon
    try:
        ipaddress.ip_address(bare)
    except ValueError:
        pass
    else:
        return True
    last = bare.rsplit(".", 1)[-1]
    return bool(_NUMERIC_LABEL.match(last))


def refusal(dest: Destination, provider: str, allowed: frozenset[Endpoint]) -> str | None:
    """Why a request to `dest` for `provider` is refused, or None when it may go."""
    if dest.has_userinfo:
        return "userinfo"
    if is_ip_literal(dest.host):
        return "ip_literal"
    if not dest.host or not _HOST_CHARS.match(dest.host):
        return "invalid_host"
    if dest.host.endswith(".") or ".." in dest.host:
        return "not_canonical"  # the allowlist names exact hosts; a trailing dot is not one
    if provider_kind(provider) == "local":
        return _local_refusal(dest)
    if dest.scheme != "https":
        return "not_https"
    if Endpoint(dest.host, dest.port) not in allowed:
        return "not_allowlisted"
    return None


def _local_refusal(dest: Destination) -> str | None:
    if dest.scheme not in ("http", "https"):
        return "not_https"
    if dest.host not in LOOPBACK_NAMES:
        return "local_not_loopback"
    return None


REASONS: dict[str, str] = {
    "invalid_url": "the URL cannot be parsed",
    "userinfo": "URLs with a user name or password are never sent",
    "invalid_host": "the host name has characters a DNS name cannot have",
    "ip_literal": "IP addresses are refused: name the host",
    "not_canonical": "the host is not written in its canonical form (trailing or double dot)",
    "not_https": "only HTTPS is allowed",
    "not_allowlisted": "the host is not on this provider's allowlist",
    "local_not_loopback": "a local provider may only reach localhost",
    "redirect_off_host": "the server redirected to another host",
    "no_consent": "there is no consent for this provider, model and scope",
    "base_url_query": "a base URL may not carry a query or a fragment",
}


def check(dest: Destination, provider: str, allowed: frozenset[Endpoint]) -> None:
    """Raise EGRESS_BLOCKED_BY_POLICY unless a request to `dest` is allowed."""
    reason = refusal(dest, provider, allowed)
    if reason is None:
        return
    hint = {}
    if reason == "not_allowlisted":
        hint["hint"] = f"gitbench consent grant --provider {provider} --model ID --base-url URL"
    raise blocked(REASONS[reason], reason=reason, host=dest.host, provider=provider, **hint)


def blocked(message: str, *, reason: str, **detail: str) -> GitbenchError:
    return GitbenchError(
        ErrorCode.EGRESS_BLOCKED_BY_POLICY,
        f"request blocked: {message}",
        phase="egress_policy",
        subphase=reason,
        actions=(Action.SWITCH_MODEL,),
        detail={"reason": reason, **detail},
    )


def confirmable_endpoint(base_url: str, provider: str) -> tuple[Endpoint, str]:
    """The endpoint a base URL would add to `provider`'s allowlist once a person confirms it,
    and the URL as it is stored (no query or fragment, so a key pasted there is never kept).
    Refused outright when no confirmation could make it safe (http to a remote host, an IP)."""
    import httpx

    dest = parse_url(base_url)
    endpoint = Endpoint(dest.host, dest.port)
    check(dest, provider, frozenset({endpoint}))
    parsed = httpx.URL(base_url)
    if parsed.query or parsed.fragment:
        raise blocked("a base URL may not carry a query or a fragment", reason="base_url_query")
    return endpoint, f"{dest.scheme}://{dest.host}:{dest.port}{parsed.path.rstrip('/')}"
