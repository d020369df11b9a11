"""Ctrl-C during a model call stops it at once and reports USER_CANCELED; nothing changes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.cli import run
from tests.support.gitcli import git
from tests.support.provider_server import Reply, serve

pytestmark = pytest.mark.e2e


def test_ctrl_c_cancels_a_turn_promptly(
    bench_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    with serve(tmp_path, tls=False) as server:
        assert (
            run(bench_path, "providers", "set-url", "ollama", server.url + "/v1", "--yes").exit_code
            == 0
        )
        server.reply(Reply(delay=5.0, body=b"{}"))  # a model that takes its time
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gitbench",
                "--json",
                "ask",
                "hi",
                "--model",
                "ollama:slow",
                "--yes",
            ],
            cwd=bench_path,
            env=os.environ.copy(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 10
        while not server.requests and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.requests, "the request never arrived"
        started = time.monotonic()
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=10)
        assert time.monotonic() - started < 2.0  # promptly, not after the model's 5 s
    assert proc.returncode == 4
    assert json.loads(out)["error"]["code"] == "USER_CANCELED"
    assert git("rev-parse", "--verify", "-q", "draft", cwd=bench_path, check=False) == ""


def test_ctrl_c_in_chat_cancels_the_turn_not_the_session(
    bench_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    with serve(tmp_path, tls=False) as server:
        assert (
            run(bench_path, "providers", "set-url", "ollama", server.url + "/v1", "--yes").exit_code
            == 0
        )
        server.reply(Reply(delay=5.0, body=b"{}"))
        proc = subprocess.Popen(
            [sys.executable, "-m", "gitbench", "chat", "--model", "ollama:slow", "--yes"],
            cwd=bench_path,
            env=os.environ.copy(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert proc.stdin is not None
        proc.stdin.write(b"take your time\n")
        proc.stdin.flush()
        deadline = time.monotonic() + 10
        while not server.requests and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.requests, "the request never arrived"
        started = time.monotonic()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(b"/status\n/quit\n", timeout=10)
        assert time.monotonic() - started < 2.0
    text = " ".join((out + err).decode().split())
    assert proc.returncode == 0, text  # the session ended with /quit, not with the Ctrl-C
    assert "USER_CANCELED" in text and "The session goes on." in text
    assert "Checkpoints" in text or "main" in text  # /status ran after the cancel
    assert git("rev-parse", "--verify", "-q", "draft", cwd=bench_path, check=False) == ""
