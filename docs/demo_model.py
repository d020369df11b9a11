"""A scripted stand-in for a local model server, for `make demo` only.

It speaks the OpenAI chat-completions wire format (streamed) on http://localhost, as Ollama
does, and answers every request with the same kind of edit: it writes `summary.md`, listing the
files it was shown with their line counts; a request ending in "?" gets an answer and no edit.
It is not a model and says so in every answer.

Run: python docs/demo_model.py PORTFILE   (writes the port it listens on to PORTFILE)
"""

from __future__ import annotations

import json
import re
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


def scripted_answer(prompt: str) -> dict[str, object]:
    request = prompt.rpartition("Request: ")[2]
    if request.rstrip().endswith("?"):  # a question: an answer, and no change
        files = re.findall(r"^- (.+?) \(", prompt, re.MULTILINE)
        reply = f"[scripted stand-in, not a model] The workbench holds {len(files)} file(s)."
        return {"reply": reply, "edits": None}
    shown = re.findall(
        r"^=== (.+?) ===\n(.*?)\n=== end of \1 ===", prompt, re.MULTILINE | re.DOTALL
    )
    lines = [f"- {path}: {len(text.splitlines())} line(s)" for path, text in shown]
    summary = "# Summary (written by the scripted demo model)\n\n" + "\n".join(lines) + "\n"
    edits = {
        "summary": "Add summary.md (scripted demo model)",
        "files": [
            {"path": "summary.md", "action": "create", "ops": [{"op": "write", "content": summary}]}
        ],
    }
    reply = f"[scripted stand-in, not a model] I listed the {len(shown)} text file(s) I was shown in summary.md."
    return {"reply": reply, "edits": edits}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers.get("content-length") or 0)))
        answer = scripted_answer(body["messages"][-1]["content"])
        content = json.dumps(answer)
        if "SEARCH/REPLACE" in body["messages"][0]["content"] and not answer["edits"]:
            content = str(answer["reply"])
        elif "SEARCH/REPLACE" in body["messages"][0]["content"]:  # asked for blocks, not JSON
            write = answer["edits"]["files"][0]  # type: ignore[index]
            text = write["ops"][0]["content"]
            content = (
                f"{answer['reply']}\n\n{write['path']}\n<<<<<<< CREATE\n{text}>>>>>>> CREATE\n"
            )
        chunks = [
            {"choices": [{"index": 0, "delta": {"content": content}, "finish_reason": "stop"}]},
            {
                "choices": [],
                "usage": {
                    "prompt_tokens": len(json.dumps(body)) // 4,
                    "completion_tokens": len(content) // 4,
                },
            },
        ]
        payload = (
            b"".join(f"data: {json.dumps(c)}\n\n".encode() for c in chunks) + b"data: [DONE]\n\n"
        )
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: object) -> None:
        return


def main() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    Path(sys.argv[1]).write_text(str(server.server_address[1]))
    server.serve_forever()


if __name__ == "__main__":
    main()
