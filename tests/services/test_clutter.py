"""Clutter: the seed formula against the model's context window, at its boundaries (issue 7)."""

from __future__ import annotations

from pathlib import Path

import pytest

from gitbench.clock import FixedClock
from gitbench.errors import ErrorCode, GitbenchError
from gitbench.services.clutter import WARNING, clutter, workbench_clutter
from gitbench.services.conversation import ConversationEntry, append_entries
from gitbench.services.session import open_bench
from gitbench.store.repo import Workbench
from tests.support.benches import Files, commit_on_branch, make_bench
from tests.support.gitcli import git

LOCAL = "ollama:tiny"  # any local model gets the registry's 8,192-token window


def _bench(tmp_path: Path, clock: FixedClock, files: Files) -> Workbench:
    return open_bench(make_bench(tmp_path / "bench", files), clock=clock)


def _text(size: int) -> str:
    return "x" * size


@pytest.mark.parametrize(
    ("size", "usage", "level"),
    [
        # 500 per file + bytes // 4, against 8,192: 3,276 is 0.3999, 3,277 is 0.4000...
        (11_104, 3_276, "light"),
        (11_108, 3_277, "moderate"),
        # ... 5,734 is 0.6999, 5,735 is 0.7001.
        (20_936, 5_734, "moderate"),
        (20_940, 5_735, "heavy"),
    ],
)
def test_levels_at_the_boundaries_of_a_small_window(
    tmp_path: Path, clock: FixedClock, size: int, usage: int, level: str
) -> None:
    result = clutter(_bench(tmp_path, clock, {"a.md": _text(size)}), LOCAL)
    assert (result.usage, result.window, result.level) == (usage, 8_192, level)
    assert result.score == usage / 8_192
    assert result.warning == (WARNING if level == "heavy" else None)
    assert result.model == LOCAL
    assert result.files == 1
    assert result.note is None


@pytest.mark.parametrize(
    ("sizes", "usage", "level"),
    [
        ((100_400, 100_396), 51_199, "light"),
        ((100_400, 100_400), 51_200, "moderate"),  # exactly 0.40
        ((87_600, 87_600, 87_600, 87_596), 89_599, "moderate"),
        ((87_600, 87_600, 87_600, 87_600), 89_600, "heavy"),  # exactly 0.70
    ],
)
def test_exact_boundaries_without_a_model_use_128k_and_say_so(
    tmp_path: Path, clock: FixedClock, sizes: tuple[int, ...], usage: int, level: str
) -> None:
    files: Files = {f"f{n}.md": _text(size) for n, size in enumerate(sizes)}
    result = clutter(_bench(tmp_path, clock, files), None)
    assert (result.usage, result.window, result.level) == (usage, 128_000, level)
    assert result.model is None
    assert result.note is not None and "128,000" in result.note


def test_a_text_file_over_100_kib_weighs_25000(tmp_path: Path, clock: FixedClock) -> None:
    wb = _bench(tmp_path, clock, {"at.md": _text(102_400), "over.md": _text(102_401)})
    # 102,400 bytes is not over the limit: 25,600; one byte more is capped at 25,000.
    assert clutter(wb, "openai:gpt-4o").usage == 2 * 500 + 25_600 + 25_000


def test_an_opaque_file_weighs_500_whatever_its_size(tmp_path: Path, clock: FixedClock) -> None:
    wb = _bench(tmp_path, clock, {"small.bin": b"\x00", "big.bin": b"\x00" * 300_000})
    assert clutter(wb, "openai:gpt-4o").usage == 2 * (500 + 500)


def test_the_bench_fixture_counts_each_kind(wb: Workbench) -> None:
    # notes.md (11 B), docs/guide.md (8 B) and data.bin (opaque).
    result = clutter(wb, "anthropic:claude-sonnet-4-5")
    assert result.usage == 3 * 500 + 11 // 4 + 8 // 4 + 500
    assert (result.window, result.files, result.level) == (200_000, 3, "light")


def test_the_conversation_counts_a_quarter_of_its_characters(wb: Workbench) -> None:
    before = clutter(wb, LOCAL)
    text = "y" * 4_001
    append_entries(wb, [ConversationEntry(kind="user", text=text, at="2026-01-02T03:04:05Z")])
    after = clutter(wb, LOCAL)
    assert after.conversation_chars == 4_001
    assert after.usage == before.usage + 1_000


def test_the_draft_files_count_when_a_draft_exists(wb: Workbench, bench_path: Path) -> None:
    commit_on_branch(bench_path, "draft", {"data.bin": None, "new.md": _text(4_000)}, "turn")
    result = clutter(wb, LOCAL)
    assert result.files == 3
    assert result.usage == 3 * 500 + 11 // 4 + 8 // 4 + 1_000


def test_the_score_is_clamped_to_one(tmp_path: Path, clock: FixedClock) -> None:
    files: Files = {f"f{n}.md": _text(8_000) for n in range(10)}
    result = clutter(_bench(tmp_path, clock, files), LOCAL)
    assert result.usage == 10 * 2_500
    assert (result.score, result.level, result.warning) == (1.0, "heavy", WARNING)


def test_an_unknown_model_is_refused(wb: Workbench) -> None:
    with pytest.raises(GitbenchError) as caught:
        clutter(wb, "nobody:nothing")
    assert caught.value.code is ErrorCode.VALIDATION_FAILED
    assert caught.value.phase == "model"


def test_the_workbench_default_model_is_used_unless_overridden(
    wb: Workbench, bench_path: Path
) -> None:
    assert workbench_clutter(wb).model is None
    git("config", "gitbench.model.default", "ollama:llama3.1", cwd=bench_path)
    assert workbench_clutter(wb).window == 131_072
    assert workbench_clutter(wb, "openai:gpt-4o").window == 128_000


def test_it_changes_with_files_conversation_and_model(wb: Workbench, bench_path: Path) -> None:
    scores = [clutter(wb, LOCAL).score]
    commit_on_branch(bench_path, "draft", {"more.md": _text(400)}, "turn")
    scores.append(clutter(wb, LOCAL).score)
    append_entries(wb, [ConversationEntry(kind="assistant", text="z" * 400, at="x")])
    scores.append(clutter(wb, LOCAL).score)
    scores.append(clutter(wb, "ollama:llama3.1").score)
    assert scores[0] < scores[1] < scores[2]
    assert scores[3] < scores[2]


def test_the_file_weights_are_cached_by_tree_and_follow_the_tree(
    wb: Workbench, bench_path: Path
) -> None:
    from gitbench.services.clutter import clutter

    first = clutter(wb, None)
    cache = bench_path / ".git" / "gitbench" / "clutter.json"
    assert cache.exists()
    assert clutter(wb, None) == first  # served from the cache, same answer
    commit_on_branch(bench_path, "draft", {"more.md": "x" * 4000}, "more")
    grown = clutter(wb, None)
    assert grown.files == first.files + 1 and grown.usage == first.usage + 500 + 1000
