"""What the workshop tells a model: the instructions for each answer format, the turn's prompt,
the retry prompt, and the streamer that shows the reply of a JSON answer as it arrives."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from gitbench.services.shown import RetryRequest

SYSTEM = """You are working on a set of files in a gitbench workbench, with a person who reviews
every change before it is published. Answer in JSON with two fields:
- "reply": what you tell the person (plain text, short).
- "edits": null when no file needs to change; otherwise the edits, in this schema:
  {"summary": "<commit subject, at most 200 characters>", "rationale": "<optional>",
   "files": [{"path": "<a file shown below>", "action": "edit" | "create" | "delete",
              "ops": [{"op": "replace", "search": "<exact text that occurs once>", "replace": "<new text>"}
                      | {"op": "write", "content": "<the whole new file>"}]}]}
Rules: search text must be copied exactly from the file and occur once; to create a file use
action "create" with one "write" op; never touch a file that was not shown to you."""


SYSTEM_TEXT = """You are working on a set of files in a gitbench workbench, with a person who
reviews every change before it is published. First write your reply to the person (plain text,
short). Then, only if files must change, give the edits as SEARCH/REPLACE blocks, each under a
line naming the file:

notes.md
<<<<<<< SEARCH
exact lines from the file, occurring once
=======
the new lines
>>>>>>> REPLACE

To create a file: its path, then <<<<<<< CREATE, the content, >>>>>>> CREATE. To delete one:
its path, then <<<<<<< DELETE and >>>>>>> DELETE. Never touch a file that was not shown to you.
When nothing needs to change, write only the reply."""

# Where the edits begin in a text answer: the prose before this is the reply.
EDIT_START = re.compile(
    r"^(?:.*\n)?(?=<{5,9} (?:SEARCH|CREATE|WRITE|DELETE))|^(?=--- )", re.MULTILINE
)


TOOLS_NOTE = """
The files do not all fit in this conversation: only their list is below. Use the tools
list_files, read_file and search to read what you need before you answer. You may edit only
files you have read; a file you read only in part takes SEARCH/REPLACE-style edits, never a
whole-file write or a delete. Do not repeat a call whose answer you already have."""


def files_prompt(
    listing: list[str], contents: dict[str, str], draft_changes: str, message: str
) -> str:
    """The turn's request: every file by name, kind and size, what the draft changes so far,
    and the content of the files sent."""
    parts = ["Files in the workbench:", *(f"- {line}" for line in listing), ""]
    if draft_changes:
        parts += ["Changes on the draft so far (not yet published):", draft_changes, ""]
    for path, text in contents.items():
        parts += [f"=== {path} ===", text, f"=== end of {path} ===", ""]
    parts.append(f"Request: {message}")
    return "\n".join(parts)


def retry_prompt(retry: RetryRequest) -> str:
    r = retry.rejection
    parts = [
        f"Your edits were refused ({r.reason.value}): {r.detail}",
        f"Diagnostics: {json.dumps(r.diagnostics)[:2000]}",
        "Here is the current content. Send a complete new answer; the earlier edits were not applied.",
    ]
    for path, text in retry.content.items():
        parts += [f"=== {path} ===", text, f"=== end of {path} ==="]
    return "\n".join(parts)


class ReplyStreamer:
    """Shows the `reply` field of the JSON answer as it streams in: the model writes it first,
    so a person reads the reply while the edits are still arriving."""

    _KEY = '"reply"'

    def __init__(self, sink: Callable[[str], None]) -> None:
        self._sink = sink
        self._buffer = ""
        self._state = "seek"  # seek -> colon -> string -> done
        self._escape = ""
        self.streamed = False

    def feed(self, text: str) -> None:
        for char in text:
            self._step(char)

    def _step(self, char: str) -> None:
        if self._state == "seek":
            self._buffer = (self._buffer + char)[-len(self._KEY) :]
            if self._buffer == self._KEY:
                self._state = "colon"
        elif self._state == "colon":
            if char == '"':
                self._state = "string"
        elif self._state == "string":
            self._string(char)

    def _string(self, char: str) -> None:
        if self._escape:
            self._escape += char
            if self._escape[:2] == "\\u" and len(self._escape) < 6:
                return
            self._emit(json.loads(f'"{self._escape}"'))
            self._escape = ""
        elif char == "\\":
            self._escape = char
        elif char == '"':
            self._state = "done"
        else:
            self._emit(char)

    def _emit(self, text: str) -> None:
        self.streamed = True
        self._sink(text)
