"""gitbench extract: copy published files out, never overwriting anything."""

from __future__ import annotations

from pathlib import Path

from gitbench.errors import ErrorCode
from tests.cli.common import actions, files_of, ok, refused, snapshot
from tests.support.benches import make_bench
from tests.support.cli import run


def test_extract_copies_every_published_file(bench_path: Path, work_dir: Path) -> None:
    out = work_dir / "out"
    result = ok(bench_path, "extract", "--to", str(out))
    assert files_of(out) == {
        "notes.md": b"alpha\nbeta\n",
        "docs/": "dir",
        "docs/guide.md": b"# Guide\n",
        "data.bin": b"\x00\x01\x02",
    }
    assert result["to"] == str(out.resolve())
    assert sorted(f["path"] for f in result["files"]) == ["data.bin", "docs/guide.md", "notes.md"]
    assert {f["written_to"] for f in result["files"]} == {
        str(out.resolve() / p) for p in ("data.bin", "docs/guide.md", "notes.md")
    }


def test_extract_copies_selected_paths(bench_path: Path, work_dir: Path) -> None:
    out = work_dir / "out"
    ok(bench_path, "extract", "notes.md", "data.bin", "--to", str(out))
    assert files_of(out) == {"notes.md": b"alpha\nbeta\n", "data.bin": b"\x00\x01\x02"}


def test_extract_copies_a_directory(tmp_path: Path, work_dir: Path) -> None:
    root = make_bench(
        tmp_path / "bench", {"top.md": "t\n", "dir/a.md": "a\n", "dir/sub/b.md": "b\n"}
    )
    out = work_dir / "out"
    ok(root, "extract", "dir", "--to", str(out))
    assert files_of(out) == {
        "dir/": "dir",
        "dir/a.md": b"a\n",
        "dir/sub/": "dir",
        "dir/sub/b.md": b"b\n",
    }


def test_extract_relative_target_is_relative_to_the_working_directory(
    bench_path: Path, work_dir: Path
) -> None:
    assert work_dir == bench_path.parent / "outside"
    ok(bench_path / "docs", "extract", "notes.md", "--to", "../../outside/rel")
    assert (work_dir / "rel" / "notes.md").read_bytes() == b"alpha\nbeta\n"


def test_extract_never_overwrites_and_picks_free_names(tmp_path: Path, work_dir: Path) -> None:
    root = make_bench(tmp_path / "bench", {"report.md": "published\n"})
    out = work_dir / "out"
    out.mkdir()
    (out / "report.md").write_text("mine\n")
    first = ok(root, "extract", "report.md", "--to", str(out))
    second = ok(root, "extract", "report.md", "--to", str(out))
    assert first["files"][0]["written_to"] == str(out.resolve() / "report(1).md")
    assert second["files"][0]["written_to"] == str(out.resolve() / "report(2).md")
    assert files_of(out) == {
        "report.md": b"mine\n",
        "report(1).md": b"published\n",
        "report(2).md": b"published\n",
    }


def test_extract_free_names_for_files_without_a_suffix(tmp_path: Path, work_dir: Path) -> None:
    root = make_bench(tmp_path / "bench", {"Makefile": "all:\n"})
    out = work_dir / "out"
    out.mkdir()
    (out / "Makefile").write_text("mine\n")
    ok(root, "extract", "--to", str(out))
    assert (out / "Makefile(1)").read_bytes() == b"all:\n"
    assert (out / "Makefile").read_bytes() == b"mine\n"


def test_extract_leaves_the_workbench_unchanged(bench_path: Path, work_dir: Path) -> None:
    before = snapshot(bench_path)
    ok(bench_path, "extract", "--to", str(work_dir / "out"))
    assert snapshot(bench_path) == before


def test_extract_refuses_a_target_inside_the_workbench(bench_path: Path) -> None:
    refused(
        bench_path,
        "extract",
        "--to",
        str(bench_path / "exported"),
        code=ErrorCode.VALIDATION_FAILED,
        phase="validating",
    )
    assert not (bench_path / "exported").exists()


def test_extract_refuses_the_workbench_root_as_target(bench_path: Path) -> None:
    refused(
        bench_path, "extract", "--to", ".", code=ErrorCode.VALIDATION_FAILED, phase="validating"
    )


def test_extract_refuses_a_target_that_leads_into_the_workbench_by_symlink(
    bench_path: Path, work_dir: Path
) -> None:
    (work_dir / "sneaky").symlink_to(bench_path / "docs")
    refused(
        bench_path,
        "extract",
        "--to",
        str(work_dir / "sneaky"),
        code=ErrorCode.VALIDATION_FAILED,
        phase="validating",
        also=(work_dir,),
    )


def test_extract_refuses_a_missing_path(bench_path: Path, work_dir: Path) -> None:
    out = work_dir / "out"
    refused(
        bench_path,
        "extract",
        "notes.md",
        "nope.md",
        "--to",
        str(out),
        code=ErrorCode.NOT_FOUND,
        phase="validating",
        also=(work_dir,),
    )
    assert not out.exists()


def test_extract_refuses_while_a_draft_exists(tmp_path: Path, work_dir: Path) -> None:
    root = make_bench(tmp_path / "bench", {"a.md": "a\n"}, draft={"a.md": "b\n"})
    out = work_dir / "out"
    error = refused(
        root,
        "extract",
        "--to",
        str(out),
        code=ErrorCode.DRAFT_EXISTS,
        phase="gate",
        also=(work_dir,),
    )
    assert actions(error) == ["review_draft", "publish_draft", "discard_draft"]
    assert not out.exists()


def test_extract_handles_a_file_in_the_way_of_a_directory(bench_path: Path, work_dir: Path) -> None:
    out = work_dir / "out"
    out.mkdir()
    (out / "docs").write_text("a file of mine\n")
    result = run(bench_path, "--json", "extract", "--to", str(out))
    assert (out / "docs").read_text() == "a file of mine\n"
    assert result.exit_code in (0, int(ErrorCode.FILE_WRITE_FAILED.exit_status))
    assert result.json()["ok"] is (result.exit_code == 0)


def test_extract_to_a_target_below_a_file_is_refused(bench_path: Path, work_dir: Path) -> None:
    (work_dir / "afile").write_text("mine\n")
    before = files_of(work_dir)
    result = run(bench_path, "--json", "extract", "--to", str(work_dir / "afile" / "out"))
    assert result.json()["ok"] is False
    assert result.json()["error"]["code"] in {"FILE_WRITE_FAILED", "VALIDATION_FAILED"}
    assert files_of(work_dir) == before
