"""Ctrl-C during a model call stops it at once and reports USER_CANCELED; nothing changes. In
`gitbench chat` it ends the turn, and the session goes on."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.support.cli import run
from tests.support.gitcli import git
from tests.support.provider_server import ProviderServer, Reply, serve

pytestmark = pytest.mark.e2e


@contextmanager
def slow_model(bench: Path, tmp_path: Path) -> Iterator[ProviderServer]:
    """A local model server whose one answer takes 5 s (XDG_CONFIG_HOME must be set)."""
    with serve(tmp_path, tls=False) as server:
        url = server.url + "/v1"
        assert run(bench, "providers", "set-url", "ollama", url, "--yes").exit_code == 0
        server.reply(Reply(delay=5.0, body=b"{}"))
        yield server


def interrupt_once_asked(proc: subprocess.Popen[bytes], server: ProviderServer) -> float:
    """Send Ctrl-C once the request has reached the model; when it was sent."""
    deadline = time.monotonic() + 10
    while not server.requests and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.requests, "the request never arrived"
    proc.send_signal(signal.SIGINT)
    return time.monotonic()


def gitbench(bench: Path, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "gitbench", *args],
        cwd=bench,
        env=os.environ.copy(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def test_ctrl_c_cancels_a_turn_promptly(
    bench_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    with slow_model(bench_path, tmp_path) as server:
        proc = gitbench(bench_path, "--json", "ask", "hi", "--model", "ollama:slow", "--yes")
        sent = interrupt_once_asked(proc, server)
        out, _ = proc.communicate(timeout=10)
        assert time.monotonic() - sent < 2.0  # promptly, not after the model's 5 s
    assert proc.returncode == 4
    assert json.loads(out)["error"]["code"] == "USER_CANCELED"
    assert git("rev-parse", "--verify", "-q", "draft", cwd=bench_path, check=False) == ""


def test_ctrl_c_in_chat_cancels_the_turn_not_the_session(
    bench_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    with slow_model(bench_path, tmp_path) as server:
        proc = gitbench(bench_path, "chat", "--model", "ollama:slow", "--yes")
        assert proc.stdin is not None
        proc.stdin.write(b"take your time\n")
        proc.stdin.flush()
        sent = interrupt_once_asked(proc, server)
        out, err = proc.communicate(b"/status\n/quit\n", timeout=10)
        assert time.monotonic() - sent < 2.0
    text = " ".join((out + err).decode().split())
    assert proc.returncode == 0, text  # the session ended with /quit, not with the Ctrl-C
    assert "USER_CANCELED" in text and "The session goes on." in text
    assert "Checkpoints" in text  # /status ran after the cancel
    assert git("rev-parse", "--verify", "-q", "draft", cwd=bench_path, check=False) == ""
