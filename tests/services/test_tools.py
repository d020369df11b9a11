"""The read tools' loop guard and partial-read bookkeeping, on their own."""

from __future__ import annotations

from gitbench.edits.settings import EditSettings
from gitbench.providers.events import ToolCall
from gitbench.services.tools import LoopGuard, ToolBox
from gitbench.store.types import ObjectId, TreeFile

A = ToolCall("1", "read_file", {"path": "a.md", "start_line": 1})
A_REORDERED = ToolCall("2", "read_file", {"start_line": 1, "path": "a.md"})
B = ToolCall("3", "search", {"text": "x"})


def test_identical_means_same_tool_and_arguments_whatever_their_order_or_call_id() -> None:
    guard = LoopGuard()
    assert [guard.repeats(c) for c in (A, A_REORDERED, B, A)] == [1, 2, 1, 3]


def test_calls_older_than_the_last_ten_are_forgotten() -> None:
    guard = LoopGuard()
    counts = []
    for n in range(12):
        counts.append(guard.repeats(A))
        for filler in range(4):  # four other calls between repeats
            guard.repeats(ToolCall("f", "search", {"text": f"{n}-{filler}"}))
    # Each window of ten calls holds two of A at most: never the 3rd, never a warning.
    assert max(counts) == 2


def box(text: bytes) -> ToolBox:
    blob = ObjectId("a" * 40)
    files = [TreeFile("a.md", blob, len(text))]
    return ToolBox(files, {blob: "text"}, lambda _blob: text, budget_tokens=10_000)


def test_a_file_is_whole_once_its_reads_cover_every_line() -> None:
    tools = box(b"1\n2\n3\n4\n")
    tools.run(ToolCall("1", "read_file", {"path": "a.md", "start_line": 3}))
    shown, partial = tools.shown(EditSettings())
    assert set(shown) == {"a.md"} and partial == {"a.md"}
    tools.run(ToolCall("2", "read_file", {"path": "a.md", "end_line": 1}))
    assert tools.shown(EditSettings())[1] == {"a.md"}  # line 2 never seen
    tools.run(ToolCall("3", "read_file", {"path": "a.md", "start_line": 2, "end_line": 2}))
    assert tools.shown(EditSettings())[1] == frozenset()


def test_answers_count_against_the_budget() -> None:
    tools = box(b"x" * 100 + b"\n")
    tools.budget = 10
    answer = tools.run(ToolCall("1", "read_file", {"path": "a.md"}))
    assert answer.startswith("error: no room left in the context window")
    assert tools.shown(EditSettings()) == ({}, frozenset())  # refused, so never seen
    tools.budget = 1_000
    tools.run(ToolCall("2", "read_file", {"path": "a.md"}))
    assert set(tools.shown(EditSettings())[0]) == {"a.md"}
