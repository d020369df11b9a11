"""The egress rules as pure functions, including attempts to smuggle a request past them."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gitbench.errors import ErrorCode, GitbenchError
from gitbench.policy import rules
from gitbench.policy.rules import Endpoint

OPENAI = rules.builtin_allowlist("openai")


def refusal(
    url: str, provider: str = "openai", allowed: frozenset[Endpoint] = OPENAI
) -> str | None:
    try:
        dest = rules.parse_url(url)
    except GitbenchError as err:
        return str(err.detail["reason"])
    return rules.refusal(dest, provider, allowed)


@pytest.mark.parametrize(
    ("provider", "url"),
    [
        ("openai", "https://api.openai.com/v1/chat/completions"),
        ("openai", "https://API.OpenAI.com:443/v1"),
        ("anthropic", "https://api.anthropic.com/v1/messages"),
        ("google", "https://generativelanguage.googleapis.com/v1beta/models"),
        ("mistral", "https://api.mistral.ai/v1/chat/completions"),
    ],
)
def test_official_endpoints_are_allowed(provider: str, url: str) -> None:
    assert refusal(url, provider, rules.builtin_allowlist(provider)) is None


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://api.openai.com/v1", "not_https"),
        ("ftp://api.openai.com/v1", "not_https"),
        ("https://api.anthropic.com/v1", "not_allowlisted"),  # another provider's host
        ("https://api.openai.com:8443/v1", "not_allowlisted"),
        ("https://api.openai.com.evil.com/v1", "not_allowlisted"),
        ("https://evil.com/api.openai.com", "not_allowlisted"),
        ("https://api.openai.com@evil.com/v1", "userinfo"),
        ("https://user:pw@api.openai.com/v1", "userinfo"),
        ("https://api.openai.com\\@evil.com/", "userinfo"),
        ("https://api.openai.com./v1", "not_canonical"),
        ("https://api..openai.com/v1", "not_canonical"),
        ("https://api%2eopenai.com/v1", "invalid_host"),
        ("https://\u0430pi.openai.com/v1", "not_allowlisted"),  # Cyrillic a: punycode host
        ("https://xn--pi-7kc.openai.com/v1", "not_allowlisted"),
        ("https://127.0.0.1/v1", "ip_literal"),
        ("https://127.0.0.1./v1", "ip_literal"),
        ("https://2130706433/v1", "ip_literal"),
        ("https://0x7f000001/v1", "ip_literal"),
        ("https://0177.0.0.1/v1", "invalid_url"),  # httpx refuses to parse it
        ("https://0x7f.1/v1", "ip_literal"),
        ("https://127.1/v1", "ip_literal"),
        ("https://[::1]/v1", "ip_literal"),
        ("https://[::ffff:127.0.0.1]/v1", "ip_literal"),
        ("https://[::ffff:7f00:1]/v1", "ip_literal"),
        ("https://[fe80::1%25eth0]/v1", "ip_literal"),
        ("https:///v1", "invalid_host"),
        ("https://exa mple.com/", "invalid_host"),
        ("https://[::1/", "invalid_url"),
    ],
)
def test_bypass_attempts_are_refused(url: str, reason: str) -> None:
    assert refusal(url) == reason


def test_a_confirmed_endpoint_counts_for_its_provider_only() -> None:
    endpoint, stored = rules.confirmable_endpoint("https://LLM.example.org:8443/v1/", "openai")
    assert endpoint == Endpoint("llm.example.org", 8443)
    assert stored == "https://llm.example.org:8443/v1"
    assert refusal("https://llm.example.org:8443/v1/x", "openai", OPENAI | {endpoint}) is None
    anthropic = rules.builtin_allowlist("anthropic")
    assert refusal("https://llm.example.org:8443/v1/x", "anthropic", anthropic) == "not_allowlisted"


@pytest.mark.parametrize(
    ("base_url", "reason"),
    [
        ("http://llm.example.org/v1", "not_https"),
        ("https://10.0.0.5/v1", "ip_literal"),
        ("https://token@llm.example.org/", "userinfo"),
        ("https://llm.example.org/v1?key=sk-test-123456789", "base_url_query"),
        ("https://llm.example.org/v1#sk-test-123456789", "base_url_query"),
    ],
)
def test_no_confirmation_makes_an_unsafe_base_url_acceptable(base_url: str, reason: str) -> None:
    with pytest.raises(GitbenchError) as caught:
        rules.confirmable_endpoint(base_url, "openai")
    assert caught.value.code is ErrorCode.EGRESS_BLOCKED_BY_POLICY
    assert caught.value.phase == "egress_policy"
    assert caught.value.detail["reason"] == reason


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://localhost:11434/api/chat", None),
        ("https://localhost:8080/v1", None),
        ("http://127.0.0.1:11434/api/chat", "ip_literal"),
        ("http://[::1]:11434/api/chat", "ip_literal"),
        ("http://localhost.:11434/", "not_canonical"),
        ("http://localhost.evil.com/", "local_not_loopback"),
        ("http://evil.com/", "local_not_loopback"),
        ("http://localhost@evil.com/", "userinfo"),
    ],
)
def test_local_providers_reach_localhost_by_name_only(url: str, reason: str | None) -> None:
    assert refusal(url, "ollama", frozenset()) == reason
    assert rules.provider_kind("ollama") == "local"


def test_an_unknown_provider_is_refused() -> None:
    with pytest.raises(GitbenchError) as caught:
        rules.provider_kind("evilcorp")
    assert caught.value.code is ErrorCode.PROVIDER_NOT_CONFIGURED
    assert caught.value.phase == "egress_policy"


def _ipv4_spellings(n: int) -> list[str]:
    a, b, c, d = ipaddress.IPv4Address(n).packed
    return [
        str(n),
        hex(n),
        f"0{n:o}",
        f"{a}.{b}.{c}.{d}",
        f"0x{a:x}.0x{b:x}.0x{c:x}.0x{d:x}",
        f"0{a:o}.0{b:o}.0{c:o}.0{d:o}",
        f"{a}.{(b << 16) | (c << 8) | d}",
        f"{a}.{b}.{(c << 8) | d}",
    ]


@given(st.integers(0, 2**32 - 1), st.sampled_from(["", "."]), st.sampled_from(["", ":443"]))
def test_every_spelling_of_an_ipv4_address_is_refused(n: int, dot: str, port: str) -> None:
    for spelling in _ipv4_spellings(n):
        url = f"https://{spelling}{dot}{port}/v1"
        assert refusal(url) in ("ip_literal", "invalid_url"), url


@given(st.ip_addresses(v=6))
def test_every_ipv6_address_is_refused(address: ipaddress.IPv6Address) -> None:
    assert refusal(f"https://[{address}]/v1") in ("ip_literal", "invalid_url")
    assert refusal(f"https://[{address.exploded}]:443/v1") in ("ip_literal", "invalid_url")


@given(st.ip_addresses(v=4))
def test_ipv4_mapped_ipv6_is_refused(address: ipaddress.IPv4Address) -> None:
    assert refusal(f"https://[::ffff:{address}]/v1") == "ip_literal"


_FRAGMENTS = st.sampled_from(
    [
        "",
        ".",
        "..",
        "@",
        ":",
        "%2e",
        "%40",
        "\\",
        "/",
        "#",
        "?",
        "evil.com",
        "api.openai.com",
        "\u3002",
        "\uff0e",
        ":443",
        ":80",
        "user:pw@",
        "\u0430",
        "xn--",
        "[",
        "]",
        "%00",
        "\t",
    ]
)


@given(st.lists(_FRAGMENTS, max_size=6), st.lists(_FRAGMENTS, max_size=6))
def test_only_the_exact_official_host_passes(before: list[str], after: list[str]) -> None:
    """Whatever surrounds the allowlisted name, a request passes only when the host httpx
    will connect to is exactly that name on port 443, over HTTPS, without userinfo."""
    url = "https://" + "".join(before) + "api.openai.com" + "".join(after) + "/v1"
    try:
        dest = rules.parse_url(url)
    except GitbenchError:
        return
    if rules.refusal(dest, "openai", OPENAI) is None:
        assert (dest.scheme, dest.host, dest.port, dest.has_userinfo) == (
            "https",
            "api.openai.com",
            443,
            False,
        )


@given(st.text(max_size=40))
def test_arbitrary_hosts_never_pass_unless_exactly_allowlisted(host: str) -> None:
    try:
        dest = rules.parse_url(f"https://{host}/v1")
    except GitbenchError:
        return
    if rules.refusal(dest, "openai", OPENAI) is None:
        assert dest.host == "api.openai.com" and dest.port == 443


def test_a_local_provider_still_needs_http_or_https() -> None:
    assert refusal("ftp://localhost/", "ollama", frozenset()) == "not_https"
