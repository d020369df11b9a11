from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gitbench.errors import ErrorCode, GitbenchError
from gitbench.paths import first_collision, fold, path_problem, require_valid_path

BAD = [
    "",
    "/etc/passwd",
    "../x",
    "a/../b",
    "a/./b",
    "a//b",
    "a/",
    "a\\b",
    "x\x00y",
    ".git/config",
    "sub/.GIT/x",
    "CON",
    "docs/nul.txt",
    "com1",
    "trailing.",
    "space ",
    "tab\there",
    "a" * 256,
    "a/" * 2100 + "b",
]
GOOD = ["notes.md", "docs/guide.md", ".gitignore", "a b/c d.txt", "ünïcødé/文件.md", "x.git", "..x"]


@pytest.mark.parametrize("path", BAD)
def test_unsafe_paths_are_refused(path: str) -> None:
    assert path_problem(path) is not None
    with pytest.raises(GitbenchError) as caught:
        require_valid_path(path)
    assert caught.value.code is ErrorCode.SANDBOX_VIOLATION
    assert caught.value.phase == "validating"


@pytest.mark.parametrize("path", GOOD)
def test_ordinary_paths_are_accepted(path: str) -> None:
    assert path_problem(path) is None
    assert require_valid_path(path) == path


components = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=0, max_size=12)


@given(st.lists(components, min_size=1, max_size=6))
def test_an_accepted_path_never_escapes_or_touches_git(parts: list[str]) -> None:
    path = "/".join(parts)
    if path_problem(path) is not None:
        return
    pieces = path.split("/")
    assert all(p not in ("", ".", "..") for p in pieces)
    assert all(p.lower() != ".git" for p in pieces)
    assert "\\" not in path and "\x00" not in path and not path.startswith("/")


@given(st.text(min_size=1, max_size=30))
def test_a_path_with_a_forbidden_character_is_always_refused(text: str) -> None:
    for bad in ("\x00", "\\"):
        assert path_problem(text + bad) is not None


def test_fold_makes_case_and_normalization_collide() -> None:
    assert fold("Notes.MD") == fold("notes.md")
    assert fold("caf\u00e9") == fold("cafe\u0301")


EXISTING = ["notes.md", "docs/guide.md", "docs/deep/x.md"]


@pytest.mark.parametrize(
    ("new", "clashing"),
    [
        (["NOTES.md"], "NOTES.md"),  # case twin of a file
        (["docs"], "docs"),  # a file where a directory is
        (["notes.md/x"], "notes.md/x"),  # a directory where a file is
        (["Docs/other.md"], "Docs/other.md"),  # case twin of a directory
        (["docs/DEEP/y.md"], "docs/DEEP/y.md"),
        (["a.md", "A.md"], "A.md"),  # twins within the new batch
        (["dir/x", "dir"], "dir"),
    ],
)
def test_first_collision_finds_paths_that_cannot_coexist(new: list[str], clashing: str) -> None:
    found = first_collision(new, EXISTING)
    assert found is not None
    assert found[0] == clashing


@pytest.mark.parametrize("new", [["notes.md"], ["docs/new.md"], ["other/x.md", "other/y.md"], []])
def test_first_collision_accepts_updates_and_new_neighbours(new: list[str]) -> None:
    assert first_collision(new, EXISTING) is None
