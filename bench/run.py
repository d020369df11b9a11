"""`python -m bench.run [--quick]`: gitbench against plain git, side by side (issue 8).

Generates the workloads into a temporary directory, times every operation of the issue's
table interleaved with its plain-git baseline, prints the ratios against the targets and
writes the figures to bench/results/latest.jsonl.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console

from bench import cases, report
from bench.config import BenchConfig, from_args, size_label
from bench.host import host_info, load_average
from bench.proc import hermetic_tools
from bench.runner import CaseResult
from bench.states import Workspace, empty_states
from bench.workloads import (
    write_big_file,
    write_changes,
    write_files,
    write_one_line_changed,
)

RESULTS = Path(__file__).resolve().parent / "results" / "latest.jsonl"
# The text workloads' files are at most 10 KiB; `--big-sizes ''` must not leave a limit below.
TEXT_FILE_LIMIT = 1 << 20


class Clock:
    def __init__(self) -> None:
        self.start = time.monotonic()

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.start

    def log(self, message: str) -> None:
        print(f"[{self.elapsed:5.0f}s] {message}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    config = from_args(argv)
    clock = Clock()
    root = Path(tempfile.mkdtemp(prefix="gitbench-bench-", dir=config.tmp))
    tools = hermetic_tools(root / "home")
    host = host_info(tools)
    clock.log(f"{host['cpu']}, {host['cores']} cores; working in {root}")
    results: list[CaseResult] = []
    try:
        _measure(config, Workspace(root, tools), clock, results)
    finally:
        # An interrupted or failed run still reports what it measured.
        host["load_average_after"] = load_average()
        if config.keep:
            clock.log(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
        report.print_report(results, host, clock.elapsed, Console(width=_width()))
        report.write_jsonl(RESULTS, host, _run_record(config, clock.elapsed), results)
        clock.log(f"figures written to {RESULTS}")
    return 0


def _measure(config: BenchConfig, ws: Workspace, clock: Clock, results: list[CaseResult]) -> None:
    biggest = max(config.big_sizes, default=0)
    empty = empty_states(
        ws, max_files=config.large_files + 1000, max_file_bytes=max(biggest * 2, TEXT_FILE_LIMIT)
    )
    ctx = cases.Context(config, ws.tools, ws, empty, lambda r: clock.log(_line(r)), results)
    cases.help_case(ctx)
    for workload in _text_workloads(config, ws.root, clock):
        cases.text_pipeline(ctx, workload)
        ws.discard(workload.files.root, ws.root / f"changes-{workload.name}")
    for big in _big_workloads(config, ws.root, clock):
        cases.big_pipeline(ctx, big)
        big.source.unlink()
        if big.changed is not None:
            big.changed.unlink()


def _text_workloads(config: BenchConfig, root: Path, clock: Clock) -> Iterator[cases.TextWorkload]:
    if not set(config.only) & set(cases.TEXT_OPS):
        return
    for name, count in (("W-small", config.small_files), ("W-large", config.large_files)):
        files = write_files(
            root / name,
            count,
            seed=config.seed,
            min_bytes=config.min_bytes,
            max_bytes=config.max_bytes,
        )
        changes = write_changes(files, root / f"changes-{name}", config.changed)
        clock.log(f"{name}: {count} files, {files.total_bytes / 2**20:.1f} MiB generated")
        yield cases.TextWorkload(name, files, changes)


def _big_workloads(config: BenchConfig, root: Path, clock: Clock) -> Iterator[cases.BigWorkload]:
    if not set(config.only) & {"add-big", "review-big", "diff-big"}:
        return
    for size in config.big_sizes:
        name = size_label(size)
        source = write_big_file(root / "big" / f"{size}.txt", size, seed=config.seed)
        changed = None
        if size == config.draft_big_size:
            changed = write_one_line_changed(source, root / "big" / f"{size}-changed.txt")
        clock.log(f"{name}: one text file generated")
        yield cases.BigWorkload(name, size, source, changed)


def _line(r: CaseResult) -> str:
    mark = "pass" if r.passed else "MISS"
    return (
        f"{r.op:<10} {r.workload:<8} gitbench {report.seconds(r.gitbench.median_s):>9} "
        f"git {report.seconds(r.git.median_s):>9}  {r.ratio:5.2f}× (≤ {r.target:g}×) {mark}  "
        f"RSS {r.gitbench.peak_rss_mib:.0f}/{r.git.peak_rss_mib:.0f} MiB"
        + ("" if r.floor_ratio is None else f"  vs pygit2 floor {r.floor_ratio:.2f}×")
    )


def _run_record(config: BenchConfig, elapsed: float) -> dict[str, Any]:
    settings = {k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(config).items()}
    return {
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "duration_s": round(elapsed, 1),
        "argv": sys.argv[1:],
        "config": settings,
    }


def _width() -> int | None:
    # A pipe gets a wide plain table rather than rich's default 80 columns, which would wrap it.
    return None if sys.stdout.isatty() else 160


if __name__ == "__main__":
    sys.exit(main())
