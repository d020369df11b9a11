"""Running the real command tree in-process with click's CliRunner."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from gitbench.cli.app import Options
from gitbench.cli.main import cli
from gitbench.clock import Clock


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str
    stdout_bytes: bytes

    def json(self) -> Any:
        return json.loads(self.stdout)

    @property
    def error_code(self) -> str:
        return str(self.json()["error"]["code"])


def run(cwd: Path, *args: str, input: bytes | str | None = None, clock: Clock | None = None) -> Run:
    """`gitbench ARGS` started in `cwd`; exceptions that are bugs propagate to the test."""
    runner = CliRunner()
    result = runner.invoke(
        cli,
        list(args),
        input=input,
        obj=Options(directory=cwd, clock=clock),
        catch_exceptions=False,
    )
    return Run(result.exit_code, result.stdout, result.stderr, result.stdout_bytes)
