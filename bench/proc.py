"""Running commands: a hermetic environment, timed runs with peak RSS, and checked set-up steps."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

Command = tuple[str, ...]

# Both tools read the same global config. Automatic gc is off because `git commit` would
# otherwise start a background repack of W-large's 10,000 loose objects in the middle of the
# next timed run (libgit2 never runs gc, so this also keeps the work the same).
GITCONFIG = """\
[user]
\tname = gitbench bench
\temail = bench@localhost
[init]
\tdefaultBranch = main
[gc]
\tauto = 0
[maintenance]
\tauto = false
[advice]
\tdetachedHead = false
"""

_PASSED_THROUGH = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR", "TZ")


class CommandFailed(RuntimeError):
    """A command of the benchmark itself (set-up or timed) exited with a failure."""

    def __init__(self, command: Sequence[str], cwd: Path, code: int, stderr: str) -> None:
        shown = " ".join(command)
        super().__init__(f"`{shown}` in {cwd} exited with {code}:\n{stderr.strip()[-3000:]}")


@dataclass(frozen=True)
class Sample:
    """One timed run: wall-clock seconds and the peak RSS of the process tree (KiB)."""

    seconds: float
    max_rss_kib: int


@dataclass(frozen=True)
class Tools:
    """How to run gitbench and git, with the environment every command of the run shares."""

    python: str
    env: Mapping[str, str]

    def gitbench(self, *args: str) -> Command:
        # `python -m gitbench` is how a person runs it from the venv (issue 8).
        return (self.python, "-m", "gitbench", *args)

    def python_c(self, code: str) -> Command:
        return (self.python, "-c", code)


def hermetic_tools(home: Path, python: str | None = None) -> Tools:
    """Tools whose HOME and git config live under `home`, so nothing of the machine's own
    configuration (hooks, aliases, fsync settings) changes the figures."""
    home.mkdir(parents=True, exist_ok=True)
    gitconfig = home / ".gitconfig"
    gitconfig.write_text(GITCONFIG)
    env = {k: v for k, v in os.environ.items() if k in _PASSED_THROUGH}
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL=str(gitconfig),
        NO_COLOR="1",
        COLUMNS="100",
    )
    return Tools(python=python or sys.executable, env=env)


def shell(script: str) -> Command:
    return ("sh", "-c", script)


def measure(command: Command, cwd: Path, tools: Tools) -> Sample:
    """Run `command` once; wall time from spawn to exit, peak RSS from wait4 (which covers
    every descendant the command waited for, so `sh -c 'a && b'` reports the larger of a, b)."""
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        proc = subprocess.Popen(
            command,
            cwd=cwd,
            env=dict(tools.env),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            errors.seek(0)
            text = errors.read().decode(errors="replace")
            raise CommandFailed(command, cwd, proc.returncode, text)
    return Sample(seconds=elapsed, max_rss_kib=usage.ru_maxrss)


def run(command: Command, cwd: Path, tools: Tools, stdin: bytes | None = None) -> str:
    """A set-up step: run it, fail loudly, return its stdout."""
    done = subprocess.run(
        command, cwd=cwd, env=dict(tools.env), input=stdin, capture_output=True, check=False
    )
    if done.returncode != 0:
        raise CommandFailed(command, cwd, done.returncode, done.stderr.decode(errors="replace"))
    return done.stdout.decode(errors="replace")


def git(cwd: Path, tools: Tools, *args: str) -> str:
    return run(("git", *args), cwd, tools).strip()
