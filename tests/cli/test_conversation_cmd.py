"""gitbench conversation and gitbench clutter."""

from __future__ import annotations

from pathlib import Path

from gitbench.clock import FixedClock
from gitbench.errors import ErrorCode
from gitbench.services.conversation import ConversationEntry, append_entries, record_event
from gitbench.services.session import open_bench
from tests.cli.common import ok, refused, refused_outside
from tests.support.benches import make_bench
from tests.support.cli import run
from tests.support.gitcli import git, rev


def _talk(bench_path: Path, clock: FixedClock) -> None:
    wb = open_bench(bench_path, clock=clock)
    append_entries(
        wb,
        [
            ConversationEntry(
                kind="user", text="tidy [notes]", at="2026-01-02T03:04:05Z", turn="t1"
            ),
            ConversationEntry(kind="assistant", text="Done.", at="2026-01-02T03:04:09Z", turn="t1"),
        ],
    )
    record_event(wb, "turn applied", turn="t1")


def test_conversation_json_lists_every_entry(bench_path: Path, clock: FixedClock) -> None:
    _talk(bench_path, clock)
    result = ok(bench_path, "conversation")
    assert result["commit"] == rev(bench_path, "refs/gitbench/conversation")
    assert [(e["kind"], e["text"]) for e in result["entries"]] == [
        ("user", "tidy [notes]"),
        ("assistant", "Done."),
        ("event", "turn applied"),
    ]
    assert result["entries"][0]["turn"] == "t1"
    assert result["entries"][2]["detail"] == {"turn": "t1"}


def test_conversation_for_people_shows_time_kind_and_text(
    bench_path: Path, clock: FixedClock
) -> None:
    _talk(bench_path, clock)
    result = run(bench_path, "conversation")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["2026-01-02T03:04:05Z", "user", "tidy", "[notes]"]
    assert lines[2].split()[1:] == ["event", "turn", "applied"]


def test_an_empty_conversation(bench_path: Path) -> None:
    assert ok(bench_path, "conversation") == {"commit": None, "entries": []}
    assert "No conversation yet" in run(bench_path, "conversation").stdout


def test_conversation_outside_a_workbench(tmp_path: Path) -> None:
    refused_outside(tmp_path, "conversation", code=ErrorCode.NOT_A_WORKBENCH, phase="open")


def test_clutter_json_for_a_chosen_model(bench_path: Path) -> None:
    result = ok(bench_path, "clutter", "--model", "ollama:tiny")
    assert result == {
        "score": 2_004 / 8_192,
        "level": "light",
        "usage": 2_004,
        "window": 8_192,
        "model": "ollama:tiny",
        "files": 3,
        "conversation_chars": 0,
        "warning": None,
        "note": None,
    }


def test_clutter_uses_the_workbench_model(bench_path: Path) -> None:
    git("config", "gitbench.model.default", "openai:gpt-4o", cwd=bench_path)
    result = ok(bench_path, "clutter")
    assert (result["model"], result["window"]) == ("openai:gpt-4o", 128_000)


def test_clutter_for_people_draws_a_bar_and_warns_when_heavy(tmp_path: Path) -> None:
    bench = make_bench(tmp_path / "bench", {"big.md": "x" * 40_000})
    result = run(bench, "clutter", "--model", "ollama:tiny")
    assert result.exit_code == 0
    assert "[####################] 100% heavy (10,500 of 8,192 tokens)" in result.stdout
    assert "Workbench is cluttered — performance may be degraded." in result.stdout


def test_clutter_without_a_model_says_which_window_it_used(bench_path: Path) -> None:
    result = run(bench_path, "clutter")
    assert "light" in result.stdout
    assert "no model chosen: measured against 128,000 tokens" in result.stdout
    assert "cluttered" not in result.stdout


def test_clutter_refuses_an_unknown_model(bench_path: Path) -> None:
    refused(
        bench_path,
        "clutter",
        "--model",
        "nobody:x",
        code=ErrorCode.VALIDATION_FAILED,
        phase="model",
    )
