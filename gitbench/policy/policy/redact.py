"""Redaction: API keys never reach logs, notes, errors or --json output.

Known secrets (the keys gitbench was given) are replaced wherever they occur; text that looks
like a key (provider prefixes, bearer tokens) is replaced too, as a second line of defence
for keys gitbench was never told about.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

MASK = "[redacted]"
_KEY_SHAPES = re.compile(
    r"(sk-[A-Za-z0-9_\-]{8,}|AIza[0-9A-Za-z_\-]{20,}|(?i:bearer)\s+[A-Za-z0-9._~+/\-]{8,}=*)"
)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        text = text.replace(secret, MASK)
    return _KEY_SHAPES.sub(MASK, text)


def redact_value(value: Any, secrets: Iterable[str] = ()) -> Any:
    """`redact` applied to every string inside a JSON-like value."""
    known = tuple(secrets)
    if isinstance(value, str):
        return redact(value, known)
    if isinstance(value, dict):
        return {redact(str(k), known): redact_value(v, known) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact_value(v, known) for v in value]
    return value
