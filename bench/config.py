"""What one benchmark run measures: sizes, repetitions, and which operations."""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass, replace
from pathlib import Path

KiB = 1024
MiB = 1024 * KiB
GiB = 1024 * MiB

OPS = (
    "help",
    "add",
    "review",
    "diff",
    "status",
    "publish",
    "restore",
    "add-big",
    "review-big",
    "diff-big",
)


@dataclass(frozen=True)
class BenchConfig:
    small_files: int = 100
    large_files: int = 10_000
    min_bytes: int = 1 * KiB
    max_bytes: int = 10 * KiB
    changed: int = 100
    big_sizes: tuple[int, ...] = (200 * MiB, 1 * GiB)
    runs: int = 5
    warmup: int = 1
    # Files this big get their own repetition counts: no warm-up (the code is warm from every
    # earlier case and the file is in the page cache), so that five pairs of 1 GiB adds (about
    # 45 s a pair) fit in the ten-minute budget.
    huge_bytes: int = 512 * MiB
    huge_runs: int = 5
    huge_warmup: int = 0
    seed: int = 8
    only: tuple[str, ...] = OPS
    keep: bool = False
    tmp: Path | None = None
    quick: bool = False

    def repetitions(self, size: int = 0) -> tuple[int, int]:
        """(runs, warm-up runs) for a workload whose biggest file has `size` bytes."""
        if size >= self.huge_bytes:
            return self.huge_runs, self.huge_warmup
        return self.runs, self.warmup

    @property
    def draft_big_size(self) -> int | None:
        """The big file that also gets a one-line draft (the issue's 200 MB case)."""
        return min(self.big_sizes) if self.big_sizes else None


QUICK = BenchConfig(
    small_files=20,
    large_files=1000,
    changed=20,
    big_sizes=(16 * MiB,),
    runs=3,
    warmup=1,
    quick=True,
)


def parse_size(text: str) -> int:
    """`200M`, `1G`, `512K` or a plain number of bytes (binary units)."""
    match = re.fullmatch(r"\s*(\d+)\s*([KMG]?)(?:i?B)?\s*", text, re.IGNORECASE)
    if match is None:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (try 200M or 1G)")
    number, unit = int(match[1]), match[2].upper()
    return number * {"": 1, "K": KiB, "M": MiB, "G": GiB}[unit]


def size_label(size: int) -> str:
    for unit, factor in (("GiB", GiB), ("MiB", MiB), ("KiB", KiB)):
        if size >= factor and size % factor == 0:
            return f"{size // factor} {unit}"
    return f"{size} B"


def _sizes(text: str) -> tuple[int, ...]:
    return tuple(sorted(parse_size(part) for part in text.split(",") if part.strip()))


def _ops(text: str) -> tuple[str, ...]:
    chosen = tuple(op.strip() for op in text.split(",") if op.strip())
    unknown = sorted(set(chosen) - set(OPS))
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown operation(s) {unknown}; known: {list(OPS)}")
    return chosen


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m bench.run",
        description="gitbench against plain git, side by side (issue 8).",
    )
    p.add_argument(
        "--quick",
        action="store_true",
        help="smoke run: 20/1000 files, one 16 MiB file, 3 runs (about a minute)",
    )
    p.add_argument("--small-files", type=int, help="files in W-small (default 100)")
    p.add_argument("--large-files", type=int, help="files in W-large (default 10000)")
    p.add_argument("--changed", type=int, help="files the draft changes (default 100)")
    p.add_argument(
        "--big-sizes",
        type=_sizes,
        help="comma-separated big-file sizes (default 200M,1G; '' skips them)",
    )
    p.add_argument("--runs", type=int, help="timed runs per side after the warm-up (default 5)")
    p.add_argument("--warmup", type=int, help="untimed warm-up runs per side (default 1)")
    p.add_argument(
        "--huge-runs", type=int, help="timed runs for files of 512 MiB and more (default 5)"
    )
    p.add_argument("--huge-warmup", type=int, help="warm-up runs for those files (default 0)")
    p.add_argument("--seed", type=int, help="workload seed (default 8)")
    p.add_argument(
        "--only", type=_ops, help=f"comma-separated operations to time, of: {', '.join(OPS)}"
    )
    p.add_argument("--keep", action="store_true", help="keep the temporary directory")
    p.add_argument("--tmp", type=Path, help="where to make the temporary directory")
    return p


def from_args(argv: list[str] | None = None) -> BenchConfig:
    args = parser().parse_args(argv)
    base = QUICK if args.quick else BenchConfig()
    given = {
        field: value
        for field, value in vars(args).items()
        if value is not None and field not in ("quick", "keep")
    }
    config = replace(base, keep=args.keep, **given)
    if config.runs < 1 or config.huge_runs < 1:
        parser().error("--runs and --huge-runs must be at least 1")
    return config
