"""Deterministic workloads, generated at run time into a temporary directory (never checked in).

Text is made of lines drawn from a seeded corpus of lowercase words, so every file is strict
UTF-8 with realistic compressibility, and the same seed always gives the same bytes (and so
the same git object ids on every machine).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from pathlib import Path

CHUNK = 1 << 20
_ALPHABET = "abcdefghijklmnopqrstuvwxyz"
_WORDS = 5000
_LINES = 4000


@dataclass(frozen=True)
class FileSet:
    """Text files under `root`, by path relative to it (posix, sorted)."""

    root: Path
    paths: tuple[str, ...]

    @property
    def top_level(self) -> list[str]:
        """The names to give `gitbench add` so that every file keeps its place."""
        return sorted({p.split("/", 1)[0] for p in self.paths})

    @property
    def total_bytes(self) -> int:
        return sum((self.root / p).stat().st_size for p in self.paths)


def corpus(seed: int) -> list[str]:
    """Lines of 4–14 made-up words each, the raw material of every file."""
    rng = random.Random(seed)
    words = ["".join(rng.choices(_ALPHABET, k=rng.randint(2, 9))) for _ in range(_WORDS)]
    return [" ".join(rng.choices(words, k=rng.randint(4, 14))) + "\n" for _ in range(_LINES)]


def text_of_size(rng: random.Random, lines: list[str], size: int) -> str:
    """About `size` bytes of text (exactly `size`), ending with a newline."""
    parts: list[str] = []
    total = 0
    while total < size:
        line = rng.choice(lines)
        parts.append(line)
        total += len(line)
    return "".join(parts)[: size - 1] + "\n"


def write_files(
    root: Path, count: int, *, seed: int, min_bytes: int, max_bytes: int, per_dir: int = 100
) -> FileSet:
    """`count` text files of `min_bytes`..`max_bytes`, `per_dir` to a directory."""
    rng = random.Random(seed)
    lines = corpus(seed)
    dirs = max(1, math.ceil(count / per_dir))
    paths = []
    for i in range(count):
        rel = f"d{i % dirs:03d}/f{i:05d}.txt"
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text_of_size(rng, lines, rng.randint(min_bytes, max_bytes)))
        paths.append(rel)
    return FileSet(root, tuple(sorted(paths)))


def chosen_for_change(files: FileSet, count: int) -> list[str]:
    """`count` paths spread evenly over the set (every file when it has fewer)."""
    step = max(1, len(files.paths) // max(1, count))
    return list(files.paths[::step][:count])


def write_changes(files: FileSet, dest: Path, count: int) -> dict[str, Path]:
    """New versions of `count` files under `dest`: one line rewritten, one appended."""
    changed = {}
    for i, rel in enumerate(chosen_for_change(files, count)):
        lines = (files.root / rel).read_text().splitlines(keepends=True)
        middle = len(lines) // 2
        lines[middle] = lines[middle].upper()
        lines.append(f"bench change {i}\n")
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("".join(lines))
        changed[rel] = target
    return changed


def write_big_file(path: Path, size: int, *, seed: int) -> Path:
    """A text file of exactly `size` bytes, streamed to disk a chunk at a time."""
    rng = random.Random(seed)
    lines = corpus(seed)
    per_chunk = CHUNK // 60  # lines average about 60 bytes
    written = 0
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out:
        while written < size:
            chunk = "".join(rng.choices(lines, k=per_chunk)).encode()[: size - written]
            out.write(chunk)
            written += len(chunk)
    return path


def write_one_line_changed(source: Path, dest: Path) -> Path:
    """A copy of `source` (streamed) with one line in the middle upper-cased."""
    middle = source.stat().st_size // 2 // CHUNK
    with source.open("rb") as src, dest.open("wb") as out:
        for index, chunk in enumerate(iter(lambda: src.read(CHUNK), b"")):
            out.write(_upper_one_line(chunk) if index == middle else chunk)
    return dest


def _upper_one_line(chunk: bytes) -> bytes:
    start = chunk.find(b"\n") + 1
    end = chunk.find(b"\n", start)
    end = len(chunk) if end < 0 else end
    return chunk[:start] + chunk[start:end].upper() + chunk[end:]
