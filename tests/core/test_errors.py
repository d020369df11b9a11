from __future__ import annotations

import re
from pathlib import Path

import pytest

from gitbench.errors import ACTION_COMMANDS, Action, ErrorCode, ExitStatus, GitbenchError

DOC = Path(__file__).resolve().parents[2] / "docs" / "errors.md"


def _table_rows(heading: str) -> list[list[str]]:
    section = DOC.read_text().split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return [[cell.strip().strip("`") for cell in row.strip("|").split("|")] for row in rows]


def test_every_error_code_is_documented_with_its_exit_status() -> None:
    documented = {row[0]: int(row[1]) for row in _table_rows("Codes")}
    assert documented == {code.value: int(code.exit_status) for code in ErrorCode}


def test_every_exit_status_is_documented() -> None:
    section = DOC.read_text().split("## Exit statuses\n", 1)[1].split("\n## ", 1)[0]
    documented = {int(m) for m in re.findall(r"^\| (\d+) \|", section, re.MULTILINE)}
    assert documented == {int(s) for s in ExitStatus}


def test_every_action_is_documented_with_its_command() -> None:
    documented = {row[0]: row[1] for row in _table_rows("Actions")}
    assert documented == {a.value: ACTION_COMMANDS[a] for a in Action}


def test_codes_are_screaming_snake_and_equal_their_names() -> None:
    for code in ErrorCode:
        assert code.value == code.name
        assert re.fullmatch(r"[A-Z]+(?:_[A-Z]+)*", code.value)


def test_error_document_carries_code_phase_actions_and_commands() -> None:
    err = GitbenchError(
        ErrorCode.DRAFT_EXISTS, "m", phase="gate", actions=(Action.REVIEW_DRAFT,), detail={"x": 1}
    )
    doc = err.to_dict()
    assert doc["code"] == "DRAFT_EXISTS"
    assert doc["phase"] == "gate"
    assert doc["actions"] == [{"action": "review_draft", "command": "gitbench review"}]
    assert doc["exit_status"] == ExitStatus.REFUSED
    assert doc["detail"] == {"x": 1}
    assert str(err) == "DRAFT_EXISTS: m"


@pytest.mark.parametrize("code", list(ErrorCode))
def test_every_code_belongs_to_a_failure_family(code: ErrorCode) -> None:
    assert code.exit_status not in (ExitStatus.OK, ExitStatus.INTERNAL)
    # Status 2 is click's for a malformed command line; only the code that reports one has it.
    assert (code.exit_status == ExitStatus.USAGE) == (code is ErrorCode.USAGE_INVALID)
