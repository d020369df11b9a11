"""The report: a table of ratios against the targets, how each cost grows with the workload,
and the same figures as JSON lines."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table

from bench.runner import CaseResult, SideStats

GROWTH_TOLERANCE = 1.5  # gitbench may grow this much faster than git before we call it out


@dataclass(frozen=True)
class Growth:
    """How one operation's median grows from its smallest workload to its largest."""

    op: str
    small: str
    large: str
    gitbench: float
    git: float

    @property
    def relative(self) -> float:
        return self.gitbench / self.git

    @property
    def like_git(self) -> bool:
        return self.relative <= GROWTH_TOLERANCE


def growth(results: Sequence[CaseResult]) -> list[Growth]:
    by_op: dict[str, list[CaseResult]] = {}
    for result in results:
        by_op.setdefault(result.op, []).append(result)
    found = []
    for op, rows in by_op.items():
        if len(rows) < 2:
            continue
        first, last = rows[0], rows[-1]
        found.append(
            Growth(
                op=op,
                small=first.workload,
                large=last.workload,
                gitbench=last.gitbench.median_s / first.gitbench.median_s,
                git=last.git.median_s / first.git.median_s,
            )
        )
    return found


def seconds(value: float) -> str:
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def target_text(result: CaseResult) -> str:
    text = f"≤ {result.target:g}×"
    if result.memory_target_mib is not None:
        text += f", ≤ {result.memory_target_mib:.0f} MiB"
    return text


def verdict(result: CaseResult) -> str:
    if result.passed:
        return "[green]pass[/]"
    why = [] if result.ratio <= result.target else ["time"]
    why += [] if result.memory_ok else ["memory"]
    return f"[bold red]MISS[/] ({' + '.join(why)})"


def print_report(
    results: Sequence[CaseResult], host: dict[str, Any], elapsed: float, console: Console
) -> None:
    plain = not console.is_terminal
    console.print(results_table(results, plain))
    grown = growth(results)
    if grown:
        console.print(growth_table(grown, plain))
    missed = sum(not r.passed for r in results)
    console.print(
        f"{len(results) - missed} of {len(results)} targets met · {host['cpu']}, "
        f"{host['cores']} cores · git {host['git']} · pygit2 {host['pygit2']} "
        f"(libgit2 {host['libgit2']}) · Python {host['python']} · {elapsed / 60:.1f} min"
    )


def _table(title: str, plain: bool, *columns: str) -> Table:
    table = Table(title=title, box=None if plain else box.SIMPLE_HEAD, title_justify="left")
    for column in columns:
        right = column not in ("operation", "workload", "target", "result", "grows")
        table.add_column(column, justify="right" if right else "left", no_wrap=True)
    return table


def results_table(results: Iterable[CaseResult], plain: bool) -> Table:
    table = _table(
        "gitbench / plain git (medians; RSS = peak over the timed runs; vs floor = gitbench /"
        " python -c 'import pygit2', timed in the same run)",
        plain,
        "operation",
        "workload",
        "gitbench",
        "git",
        "ratio",
        "pairs",
        "target",
        "result",
        "pygit2 floor",
        "vs floor",
        "gitbench RSS",
        "git RSS",
        "runs",
    )
    for r in results:
        table.add_row(
            r.gitbench_command,
            r.workload,
            seconds(r.gitbench.median_s),
            seconds(r.git.median_s),
            f"{r.ratio:.2f}×",
            _spread(r.pair_ratios),
            target_text(r),
            verdict(r),
            "-" if r.floor is None else seconds(r.floor.median_s),
            "-" if r.floor_ratio is None else f"{r.floor_ratio:.2f}×",
            f"{r.gitbench.peak_rss_mib:.0f} MiB",
            f"{r.git.peak_rss_mib:.0f} MiB",
            f"{r.runs}+{r.warmup}",
        )
    return table


def _spread(ratios: list[float]) -> str:
    if len(ratios) < 2:
        return "-"
    return f"{min(ratios):.2f}–{max(ratios):.2f}"


def growth_table(grown: Iterable[Growth], plain: bool) -> Table:
    table = _table(
        "growth: median on the larger workload / median on the smaller",
        plain,
        "operation",
        "workload",
        "gitbench",
        "git",
        "gitbench / git",
        "grows",
    )
    for g in grown:
        table.add_row(
            g.op,
            f"{g.small} → {g.large}",
            f"{g.gitbench:.2f}×",
            f"{g.git:.2f}×",
            f"{g.relative:.2f}",
            "like git" if g.like_git else "[bold red]faster than git[/]",
        )
    return table


def write_jsonl(
    path: Path,
    host: dict[str, Any],
    run: dict[str, Any],
    results: Sequence[CaseResult],
) -> None:
    lines = [{"type": "host", **host}, {"type": "run", **run}]
    lines += [{"type": "case", **case_record(r)} for r in results]
    lines += [{"type": "growth", **asdict(g), "relative": g.relative} for g in growth(results)]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines))


def case_record(r: CaseResult) -> dict[str, Any]:
    return {
        "op": r.op,
        "workload": r.workload,
        "gitbench_command": r.gitbench_command,
        "git_command": r.git_command,
        "runs": r.runs,
        "warmup": r.warmup,
        "gitbench": side_record(r.gitbench),
        "git": side_record(r.git),
        "ratio": round(r.ratio, 4),
        "pair_ratios": [round(x, 4) for x in r.pair_ratios],
        "target": r.target,
        "memory_target_mib": r.memory_target_mib,
        "pass": r.passed,
        "floor_command": r.floor_command,
        "floor": None if r.floor is None else side_record(r.floor),
        "floor_ratio": None if r.floor_ratio is None else round(r.floor_ratio, 4),
    }


def side_record(stats: SideStats) -> dict[str, Any]:
    return {
        "median_s": round(stats.median_s, 6),
        "samples_s": [round(s.seconds, 6) for s in stats.samples],
        "peak_rss_mib": round(stats.peak_rss_mib, 1),
        "rss_mib": [round(s.max_rss_kib / 1024, 1) for s in stats.samples],
    }
