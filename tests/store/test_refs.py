from __future__ import annotations

from pathlib import Path

import pytest

from gitbench.errors import ErrorCode, GitbenchError
from gitbench.store import objects, refs
from gitbench.store.repo import Workbench
from gitbench.store.types import DRAFT, MAIN, ObjectId, RefName, RefUpdate
from tests.support.gitcli import all_refs, git, rev


def _new_commit(wb: Workbench, parent: ObjectId, content: bytes) -> ObjectId:
    tree = objects.build_tree(
        wb, objects.commit_info(wb, parent).tree, {"x.txt": objects.write_blob(wb, content)}
    )
    return objects.create_commit(wb, tree, [parent], "x")


def test_update_refs_creates_moves_and_deletes_with_reflog_messages(wb: Workbench) -> None:
    main = refs.read_ref(wb, MAIN)
    assert main is not None
    child = _new_commit(wb, main, b"1")
    refs.update_refs(wb, [RefUpdate(DRAFT, None, child)], "gitbench: make draft")
    assert rev(wb.root, "draft") == child
    assert "gitbench: make draft" in git("reflog", "show", "draft", cwd=wb.root)
    refs.update_refs(wb, [RefUpdate(DRAFT, child, None)], "gitbench: drop draft")
    assert rev(wb.root, "draft") is None


def test_a_stale_expectation_changes_nothing(wb: Workbench) -> None:
    main = refs.read_ref(wb, MAIN)
    assert main is not None
    first = _new_commit(wb, main, b"1")
    other = _new_commit(wb, main, b"2")
    git("update-ref", "refs/heads/draft", other, cwd=wb.root)  # someone else got there first
    before = all_refs(wb.root)
    tag = RefUpdate(RefName("refs/tags/checkpoint/t"), None, main)
    with pytest.raises(GitbenchError) as caught:
        refs.update_refs(wb, [tag, RefUpdate(DRAFT, None, first)], "gitbench: lose")
    assert caught.value.code is ErrorCode.CONCURRENT_UPDATE
    assert caught.value.phase == "update_refs"
    assert caught.value.retryable
    assert all_refs(wb.root) == before  # the valid first update was not applied either


def test_a_ref_locked_by_another_process_is_a_concurrent_update(wb: Workbench) -> None:
    main = refs.read_ref(wb, MAIN)
    assert main is not None
    lock = wb.git_dir / "refs" / "heads" / "main.lock"
    lock.write_text("")
    before = all_refs(wb.root)
    with pytest.raises(GitbenchError) as caught:
        refs.update_refs(wb, [RefUpdate(MAIN, main, _new_commit(wb, main, b"1"))], "m")
    assert caught.value.code is ErrorCode.CONCURRENT_UPDATE
    lock.unlink()
    assert all_refs(wb.root) == before


def test_head_branch_and_point_head(wb: Workbench, bench_path: Path) -> None:
    assert refs.head_branch(wb) == MAIN
    git("branch", "draft", cwd=bench_path)
    refs.point_head(wb, DRAFT)
    assert git("symbolic-ref", "HEAD", cwd=bench_path) == "refs/heads/draft"
    git("checkout", "-q", "--detach", cwd=bench_path)
    assert refs.head_branch(wb) is None


def test_list_refs_is_sorted_and_filtered(wb: Workbench) -> None:
    main = refs.read_ref(wb, MAIN)
    for name in ("b", "a"):
        git("update-ref", f"refs/gitbench/discarded/{name}", str(main), cwd=wb.root)
    listed = refs.list_refs(wb, "refs/gitbench/discarded/")
    assert [n for n, _ in listed] == ["refs/gitbench/discarded/a", "refs/gitbench/discarded/b"]
