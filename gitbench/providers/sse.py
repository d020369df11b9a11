"""Server-sent events, parsed incrementally from the lines of a streamed HTTP body."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class ServerEvent:
    event: str
    data: str


def parse_sse(lines: Iterable[str]) -> Iterator[ServerEvent]:
    """Events as the SSE specification frames them: `event:` and `data:` fields, a blank line
    ends an event, several `data:` lines join with newlines, `:` starts a comment."""
    event, data = "message", list[str]()
    for raw in lines:
        line = raw.rstrip("\r\n")
        if not line:
            if data:
                yield ServerEvent(event, "\n".join(data))
            event, data = "message", []
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "event":
            event = value
        elif name == "data":
            data.append(value)
    if data:
        # A stream that ends without the final blank line: the caller decides whether the
        # event is complete (a cut stream must never pass for a whole answer).
        yield ServerEvent(event, "\n".join(data))
