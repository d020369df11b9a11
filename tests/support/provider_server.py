"""A loopback HTTPS server standing in for a model provider: scripted replies, recorded requests.

Certificates are made at test time with trustme, so the production client (services/wiring.py)
verifies a real TLS handshake against `ca_pem`. As in git-revise's `Editor`, leaving the
`serve` block fails the test when a queued reply went unused or an unexpected request arrived.
"""

from __future__ import annotations

import json
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from socket import socket
from typing import Any

import trustme


@dataclass(frozen=True)
class Reply:
    """What the server answers next: a status with a body (bytes, sent whole or in chunks),
    after an optional delay; or `drop` to close the connection without answering."""

    status: int = 200
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = (("content-type", "application/json"),)
    chunks: tuple[bytes, ...] | None = None
    delay: float = 0.0
    drop: bool = False
    truncate: bool = False  # after the chunks, close without ending the body: a cut stream


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class ProviderServer:
    port: int
    ca_pem: Path
    replies: list[Reply] = field(default_factory=list)
    requests: list[Recorded] = field(default_factory=list)
    unexpected: list[Recorded] = field(default_factory=list)
    connections: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    tls: bool = True

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://localhost:{self.port}"

    def reply_json(self, document: Any, status: int = 200, **headers: str) -> None:
        extra = tuple(headers.items())
        body = json.dumps(document).encode()
        self.replies.append(Reply(status, body, (("content-type", "application/json"), *extra)))

    def reply(self, reply: Reply) -> None:
        self.replies.append(reply)

    def _next(self, request: Recorded) -> Reply | None:
        with self.lock:
            if not self.replies:
                self.unexpected.append(request)
                return None
            self.requests.append(request)
            return self.replies.pop(0)


def _handler(server: ProviderServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            self._answer()

        def do_POST(self) -> None:
            self._answer()

        def _answer(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            recorded = Recorded(self.command, self.path, dict(self.headers.items()), body)
            reply = server._next(recorded)
            if reply is None:
                self.send_error(599, "unexpected request")
                return
            time.sleep(reply.delay)
            if reply.drop:
                self.close_connection = True
                self.connection.close()
                return
            self._send(reply)

        def _send(self, reply: Reply) -> None:
            self.send_response(reply.status)
            for name, value in reply.headers:
                self.send_header(name, value)
            if reply.chunks is None:
                self.send_header("content-length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)
                return
            self.send_header("transfer-encoding", "chunked")
            self.end_headers()
            for chunk in reply.chunks:
                self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                self.wfile.flush()
            if reply.truncate:
                self.close_connection = True
                self.connection.close()
                return
            self.wfile.write(b"0\r\n\r\n")

        def log_message(self, format: str, *args: Any) -> None:
            pass  # the test asserts on `requests`, not on a log

    return Handler


class _CountingServer(ThreadingHTTPServer):
    daemon_threads = True
    state: ProviderServer

    def get_request(self) -> tuple[socket, Any]:
        accepted = super().get_request()
        self.state.connections += 1
        return accepted


@contextmanager
def serve(directory: Path, tls: bool = True) -> Iterator[ProviderServer]:
    """Run a provider server on 127.0.0.1 (certificate for 127.0.0.1 and localhost); the CA's
    PEM file is written to `directory`. `tls=False` serves plain HTTP, as a local model server
    (Ollama, llama.cpp) does."""
    ca = trustme.CA()
    ca_pem = directory / "provider-ca.pem"
    ca.cert_pem.write_to_path(str(ca_pem))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    httpd = _CountingServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    if tls:
        # Handshakes happen in the handler thread, so a client that stalls blocks only itself.
        httpd.socket = context.wrap_socket(
            httpd.socket, server_side=True, do_handshake_on_connect=False
        )
    state = ProviderServer(port=httpd.server_address[1], ca_pem=ca_pem, tls=tls)
    httpd.state = state
    httpd.RequestHandlerClass = _handler(state)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()
    assert state.unexpected == [], f"unexpected requests: {state.unexpected}"
    assert state.replies == [], f"queued replies never used: {state.replies}"
