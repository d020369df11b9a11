"""A full disk or an unwritable repository: a clear error, and nothing half-written."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.benches import make_bench
from tests.support.cli import run
from tests.support.gitcli import all_refs, git

pytestmark = pytest.mark.e2e


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A 4 MiB tmpfs: a real filesystem that really fills up (needs root; skipped otherwise)."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small filesystem here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(folder: Path) -> Path:
    """Fill the filesystem of `folder` to the last byte."""
    filler = folder / "filler"
    with filler.open("wb") as handle, contextlib.suppress(OSError):
        while True:
            handle.write(b"\0" * 65536)
            handle.flush()
    with contextlib.suppress(OSError), filler.open("ab") as handle:
        while True:
            handle.write(b"\0")
            handle.flush()
    return filler


def test_a_full_disk_is_disk_full_and_nothing_changes(tiny_disk: Path, tmp_path: Path) -> None:
    root = make_bench(tiny_disk / "bench", {"notes.md": "alpha\n"})
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(256 * 1024))  # random: does not compress below the free space
    filler = _fill(tiny_disk)
    before = all_refs(root)
    result = run(root, "--json", "put", "big.bin", "--from", str(big))
    assert result.exit_code == 7, result.stdout
    assert result.error_code == "DISK_FULL"
    assert result.json()["error"]["actions"][0]["action"] == "free_disk_space"
    assert all_refs(root) == before
    assert not (root / ".git" / "gitbench" / "intent.json").exists()
    filler.unlink()  # space again: the next command works and the write can be retried
    assert run(root, "put", "big.bin", "--from", str(big)).exit_code == 0
    assert git("cat-file", "-s", "draft:big.bin", cwd=root) == str(256 * 1024)
    assert "error" not in git("fsck", "--strict", "--no-progress", cwd=root, check=False).lower()


def test_an_unwritable_repository_is_a_write_failure(tmp_path: Path) -> None:
    root = make_bench(tmp_path / "bench", {"notes.md": "alpha\n"})
    blob = git("hash-object", "--stdin", cwd=root, input=b"new\n")
    fanout = root / ".git" / "objects" / blob[:2]
    shutil.rmtree(fanout, ignore_errors=True)
    fanout.write_text("in the way\n")  # the blob cannot be written, even by root
    before = all_refs(root)
    result = run(root, "--json", "put", "notes.md", input=b"new\n")
    assert result.exit_code == 7, result.stdout
    assert result.error_code == "FILE_WRITE_FAILED"
    after = all_refs(root)
    notes = after.pop("refs/notes/gitbench/failures")  # the failure is recorded, nothing else
    assert after == before
    assert '"FILE_WRITE_FAILED"' in git(
        "cat-file", "-p", f"{notes}:{before['refs/heads/main']}", cwd=root
    )
