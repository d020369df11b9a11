"""The saved conversation: commits on refs/gitbench/conversation holding log.jsonl (issue 7)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from gitbench.clock import FixedClock
from gitbench.errors import ErrorCode, GitbenchError
from gitbench.services.conversation import (
    ConversationEntry,
    append_entries,
    read_entries,
    record_event,
    show_conversation,
)
from gitbench.store.repo import Workbench
from tests.support.gitcli import git, rev

REF = "refs/gitbench/conversation"

APPENDER = """
import sys
from pathlib import Path
from gitbench.services.conversation import ConversationEntry, append_entries
from gitbench.services.session import open_bench
wb = open_bench(Path(sys.argv[1]))
for i in range(int(sys.argv[3])):
    entry = ConversationEntry(kind="user", text=f"{sys.argv[2]}-{i}", at="2026-01-02T03:04:05Z")
    append_entries(wb, [entry])
"""


def _entry(text: str, kind: str = "user", turn: str | None = "t1") -> ConversationEntry:
    return ConversationEntry.model_validate(
        {"kind": kind, "text": text, "at": "2026-01-02T03:04:05Z", "turn": turn}
    )


def test_nothing_saved_reads_as_an_empty_log(wb: Workbench, bench_path: Path) -> None:
    assert read_entries(wb) == []
    assert show_conversation(wb).commit is None
    assert rev(bench_path, REF) is None


def test_entries_are_one_commit_git_can_read(wb: Workbench, bench_path: Path) -> None:
    entries = [_entry("summarise notes.md"), _entry("Here is a summary.", "assistant")]
    commit = append_entries(wb, entries)
    assert rev(bench_path, REF) == commit
    assert git("log", "--format=%H", REF, cwd=bench_path) == commit
    assert git("ls-tree", "--name-only", REF, cwd=bench_path) == "log.jsonl"
    lines = git("show", f"{REF}:log.jsonl", cwd=bench_path).splitlines()
    assert [json.loads(line) for line in lines] == [e.model_dump(mode="json") for e in entries]
    assert read_entries(wb) == entries


def test_each_append_is_a_child_of_the_previous_tip(wb: Workbench, bench_path: Path) -> None:
    first = append_entries(wb, [_entry("one")])
    second = append_entries(wb, [_entry("two"), _entry("three", "assistant")])
    assert git("rev-parse", f"{second}^", cwd=bench_path) == first
    assert git("rev-list", "--count", REF, cwd=bench_path) == "2"
    assert [e.text for e in read_entries(wb)] == ["one", "two", "three"]
    shown = git("show", f"{REF}:log.jsonl", cwd=bench_path)
    assert shown.count("\n") == 2  # the whole log, one object a line
    assert (
        git("log", "-1", "--format=%s", REF, cwd=bench_path) == "conversation: +2 (assistant, user)"
    )


def test_the_conversation_ref_leaves_main_and_the_draft_alone(
    wb: Workbench, bench_path: Path
) -> None:
    main = rev(bench_path, "main")
    append_entries(wb, [_entry("hello")])
    assert rev(bench_path, "main") == main
    assert rev(bench_path, "draft") is None
    assert git("status", "--porcelain", cwd=bench_path) == ""


def test_an_event_is_stamped_with_the_workbench_clock(wb: Workbench, clock: FixedClock) -> None:
    clock.advance(90)
    record_event(wb, "published", checkpoint="20260102T030535Z-publish")
    (event,) = read_entries(wb)
    assert event.kind == "event"
    assert event.text == "published"
    assert event.at == "2026-01-02T03:05:35Z"
    assert event.turn is None
    assert event.detail == {"checkpoint": "20260102T030535Z-publish"}


def test_unicode_text_round_trips(wb: Workbench) -> None:
    append_entries(wb, [_entry("résumé — 要約 \n second line")])
    assert read_entries(wb)[0].text == "résumé — 要約 \n second line"


def test_a_line_edited_by_hand_is_reported_not_skipped(wb: Workbench, bench_path: Path) -> None:
    append_entries(wb, [_entry("secret prompt")])
    blob = git("hash-object", "-w", "--stdin", cwd=bench_path, input=b"not json\n")
    tree = git("mktree", cwd=bench_path, input=f"100644 blob {blob}\tlog.jsonl\n".encode())
    commit = git("commit-tree", tree, "-p", REF, "-m", "by hand", cwd=bench_path)
    git("update-ref", REF, commit, cwd=bench_path)
    with pytest.raises(GitbenchError) as caught:
        read_entries(wb)
    assert caught.value.code is ErrorCode.VALIDATION_FAILED
    assert caught.value.phase == "conversation"
    assert caught.value.detail["line"] == 1
    assert "secret" not in json.dumps(caught.value.detail)


def test_concurrent_appenders_lose_no_entry(bench_path: Path) -> None:
    appenders = [
        subprocess.Popen([sys.executable, "-c", APPENDER, str(bench_path), str(n), "15"])
        for n in range(4)
    ]
    assert [a.wait(timeout=120) for a in appenders] == [0, 0, 0, 0]
    lines = git("show", f"{REF}:log.jsonl", cwd=bench_path).splitlines()
    texts = sorted(json.loads(line)["text"] for line in lines)
    assert texts == sorted(f"{n}-{i}" for n in range(4) for i in range(15))
    assert git("rev-list", "--count", REF, cwd=bench_path) == "60"


def test_an_entry_is_frozen() -> None:
    entry = _entry("hello")
    with pytest.raises(ValueError):
        entry.text = "changed"
