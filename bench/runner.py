"""Timing one case: fresh states outside the timed region, gitbench and git interleaved
(A, B, A, B, ...), warm-up runs discarded, medians and peak RSS kept. A case may also time a
floor after each pair (A, B, F, A, B, F, ...): `python -c "import pygit2"`, the start-up no
pygit2 tool can avoid, so that the report shows what is gitbench's own cost."""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench.proc import Command, Sample, Tools, measure


def _nothing() -> None:
    return None


@dataclass(frozen=True)
class Side:
    """One tool's command, the directory it runs in, and how to put that state back after a
    run that changed it (outside the timed region)."""

    command: Command
    label: str
    cwd: Path
    reset: Callable[[], None] = _nothing


@dataclass(frozen=True)
class Case:
    op: str
    workload: str
    gitbench: Side
    git: Side
    target: float
    runs: int
    warmup: int
    memory_target_mib: float | None = None
    floor: Side | None = None


@dataclass(frozen=True)
class SideStats:
    samples: tuple[Sample, ...]

    @property
    def median_s(self) -> float:
        return statistics.median(s.seconds for s in self.samples)

    @property
    def peak_rss_mib(self) -> float:
        return max(s.max_rss_kib for s in self.samples) / 1024


@dataclass(frozen=True)
class CaseResult:
    op: str
    workload: str
    gitbench_command: str
    git_command: str
    target: float
    memory_target_mib: float | None
    runs: int
    warmup: int
    gitbench: SideStats
    git: SideStats
    floor: SideStats | None = None
    floor_command: str | None = None

    @property
    def ratio(self) -> float:
        return self.gitbench.median_s / self.git.median_s

    @property
    def floor_ratio(self) -> float | None:
        """gitbench / the floor: 1.0 would mean gitbench costs no more than importing pygit2."""
        return None if self.floor is None else self.gitbench.median_s / self.floor.median_s

    @property
    def pair_ratios(self) -> list[float]:
        """gitbench / git for each interleaved pair: their spread shows how noisy the run was."""
        pairs = zip(self.gitbench.samples, self.git.samples, strict=True)
        return [a.seconds / b.seconds for a, b in pairs]

    @property
    def memory_ok(self) -> bool:
        limit = self.memory_target_mib
        return limit is None or self.gitbench.peak_rss_mib <= limit

    @property
    def passed(self) -> bool:
        return self.ratio <= self.target and self.memory_ok


def run_case(case: Case, tools: Tools) -> CaseResult:
    """Time `case`, gitbench and git in turn. States are put back between runs; the last run's
    state is left as it is, for the caller to check or to build the next state on."""
    ours: list[Sample] = []
    theirs: list[Sample] = []
    floor: list[Sample] = []
    for index in range(case.warmup + case.runs):
        if index > 0:
            case.gitbench.reset()
            case.git.reset()
        a = measure(case.gitbench.command, case.gitbench.cwd, tools)
        b = measure(case.git.command, case.git.cwd, tools)
        f = measure(case.floor.command, case.floor.cwd, tools) if case.floor else None
        if index >= case.warmup:
            ours.append(a)
            theirs.append(b)
            floor.extend([f] if f else [])
    return _result(case, ours, theirs, floor)


def _result(
    case: Case, ours: list[Sample], theirs: list[Sample], floor: list[Sample]
) -> CaseResult:
    return CaseResult(
        op=case.op,
        workload=case.workload,
        gitbench_command=case.gitbench.label,
        git_command=case.git.label,
        target=case.target,
        memory_target_mib=case.memory_target_mib,
        runs=case.runs,
        warmup=case.warmup,
        gitbench=SideStats(tuple(ours)),
        git=SideStats(tuple(theirs)),
        floor=SideStats(tuple(floor)) if floor else None,
        floor_command=case.floor.label if case.floor else None,
    )
