"""The operations of issue 8's table, each as a gitbench command against its plain-git baseline,
on the same starting state.

Cases run in pipelines because each state grows out of the one before, in place: the last
`add` run leaves the published state, a draft is put on top of it, the last `publish` run
leaves the state that `checkpoint restore` starts from. Between runs a state is put back
(`Snapshot.restore`, `fresh_git_dir`), outside the timed region.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from bench.config import BenchConfig
from bench.proc import Tools, shell
from bench.runner import Case, CaseResult, Side, run_case
from bench.states import (
    FileGuard,
    Pair,
    Snapshot,
    Workspace,
    fresh_git_dir,
    link_file,
    make_draft,
    populate,
    publish_checkpoint,
    refresh_index,
    require_same_tree,
    unshare,
)
from bench.workloads import FileSet

TEXT_OPS = ("add", "review", "diff", "status", "publish", "restore")
BIG_OPS = ("add-big", "review-big", "diff-big")
BIG_NAME = "big.txt"
MEMORY_TARGET_MIB = 128.0
# Every case but these is also timed against `python -c "import pygit2"`: for help the floor is
# click (its baseline), for status the pygit2 import is the baseline itself.
NO_FLOOR = ("help", "status")
HELP_RUNS = 15
FLOOR_LABEL = "python -c 'import pygit2'"

GIT_ADD = "git add -A && git commit -q -m 'Add files'"
GIT_ADD_BIG = f"git add {BIG_NAME} && git commit -q -m 'Add {BIG_NAME}'"
GIT_PUBLISH = (
    "git tag -a -m 'before publishing' checkpoint/publish main"
    " && git merge -q --ff-only draft && git branch -q -D draft"
)
GIT_RESTORE = (
    "git tag -a -m 'before restoring' checkpoint/pre-restore main"
    " && git read-tree -m -u main 'checkpoint/publish^{tree}'"
    " && commit=$(git commit-tree 'checkpoint/publish^{tree}' -p main -m 'Restore publish')"
    " && git update-ref -m 'restore publish' refs/heads/main \"$commit\""
)


@dataclass(frozen=True)
class TextWorkload:
    name: str
    files: FileSet
    changes: dict[str, Path]


@dataclass(frozen=True)
class BigWorkload:
    name: str
    size: int
    source: Path
    changed: Path | None  # the one-line draft, for the smallest big file only


@dataclass
class Context:
    config: BenchConfig
    tools: Tools
    ws: Workspace
    empty: Pair
    log: Callable[[CaseResult], None]
    results: list[CaseResult]

    def wants(self, *ops: str) -> bool:
        return any(op in self.config.only for op in ops)

    def time(self, case: Case) -> None:
        """Time `case` if it was asked for, else run it once just to reach the next state."""
        if not self.wants(case.op):
            run_case(replace(case, runs=1, warmup=0), self.tools)
            return
        if case.op not in NO_FLOOR:
            floor = Side(self.tools.python_c("import pygit2"), FLOOR_LABEL, case.git.cwd)
            case = replace(case, floor=floor)
        result = run_case(case, self.tools)
        self.results.append(result)
        self.log(result)

    def start(self, name: str) -> Pair:
        """Copies of the empty workbench and the empty repository."""
        return Pair(
            self.ws.copy(self.empty.gitbench, f"{name}-gitbench"),
            self.ws.copy(self.empty.git, f"{name}-git"),
        )


def help_case(ctx: Context) -> None:
    if not ctx.wants("help"):
        return
    here = ctx.ws.root
    runs, warmup = ctx.config.repetitions()
    # A pair takes ~0.1 s and the margin is a few milliseconds: one disturbed pair of five
    # moved the median from 1.28x to 1.82x on a shared machine, so this case takes more.
    runs, warmup = max(runs, HELP_RUNS), max(warmup, 2)
    ctx.time(
        Case(
            "help",
            "-",
            Side(ctx.tools.gitbench("--help"), "gitbench --help", here),
            Side(ctx.tools.python_c("import click"), "python -c 'import click'", here),
            target=1.3,
            runs=runs,
            warmup=warmup,
        )
    )


def text_pipeline(ctx: Context, w: TextWorkload) -> None:
    """add → (draft) → review, diff, status → publish → checkpoint restore."""
    if not ctx.wants(*TEXT_OPS):
        return
    state = ctx.start(w.name)
    populate(state.gitbench, w.files.root, ctx.tools)
    populate(state.git, w.files.root, ctx.tools)
    ctx.time(_add(ctx, w, state))
    published = require_same_tree(state, "main", ctx.tools)
    if ctx.wants(*TEXT_OPS[1:]):
        make_draft(ctx.ws, state, w.changes)
        require_same_tree(state, "draft", ctx.tools)
        _read_only(ctx, w.name, state, big=False)
        if ctx.wants("publish", "restore"):
            _publish_then_restore(ctx, w.name, state, published)
    ctx.ws.discard(state.gitbench, state.git)


def big_pipeline(ctx: Context, w: BigWorkload) -> None:
    """add of one big file → (a one-line draft) → review, diff."""
    drafts = w.changed is not None and ctx.wants("review-big", "diff-big")
    if not (ctx.wants("add-big") or drafts):
        return
    state = ctx.start(w.name.replace(" ", ""))
    link_file(w.source, state.gitbench / BIG_NAME)
    link_file(w.source, state.git / BIG_NAME)
    guard = FileGuard.of(w.source)
    ctx.time(_add_big(ctx, w, state, guard))
    guard.check()
    require_same_tree(state, "main", ctx.tools)
    if drafts and w.changed is not None:
        for side in (state.gitbench, state.git):
            unshare(side / BIG_NAME)
            refresh_index(side, ctx.tools)
        make_draft(ctx.ws, state, {BIG_NAME: w.changed})
        _read_only(ctx, w.name, state, big=True)
    ctx.ws.discard(state.gitbench, state.git)


def _add(ctx: Context, w: TextWorkload, state: Pair) -> Case:
    top = w.files.top_level
    runs, warmup = ctx.config.repetitions()
    return Case(
        "add",
        w.name,
        Side(
            ctx.tools.gitbench("add", *top),
            f"gitbench add <{len(top)} dirs>",
            state.gitbench,
            lambda: fresh_git_dir(state.gitbench, ctx.empty.gitbench),
        ),
        Side(
            shell(GIT_ADD),
            "git add -A && git commit -q",
            state.git,
            lambda: fresh_git_dir(state.git, ctx.empty.git),
        ),
        target=1.5,
        runs=runs,
        warmup=warmup,
    )


def _read_only(ctx: Context, workload: str, draft: Pair, *, big: bool) -> None:
    runs, warmup = ctx.config.repetitions()
    suffix = "-big" if big else ""
    gb, plain = draft.gitbench, draft.git
    cases = [
        Case(
            "review" + suffix,
            workload,
            Side(ctx.tools.gitbench("review", "--json"), "gitbench review --json", gb),
            Side(("git", "diff", "--stat", "main", "draft"), "git diff --stat main draft", plain),
            target=1.5,
            runs=runs,
            warmup=warmup,
        ),
        Case(
            "diff" + suffix,
            workload,
            Side(ctx.tools.gitbench("diff"), "gitbench diff", gb),
            Side(("git", "diff", "main", "draft"), "git diff main draft", plain),
            target=1.5,
            runs=runs,
            warmup=warmup,
        ),
    ]
    if not big:
        cases.append(
            Case(
                "status",
                workload,
                Side(ctx.tools.gitbench("status"), "gitbench status", gb),
                Side(ctx.tools.python_c("import pygit2"), "python -c 'import pygit2'", plain),
                target=1.5,
                runs=runs,
                warmup=warmup,
            )
        )
    for case in cases:
        if ctx.wants(case.op):
            ctx.time(case)


def _in_place(ctx: Context, state: Pair) -> tuple[Side, Side]:
    """Sides (without commands) that run in `state` and put it back after each run."""
    ours = Snapshot.take(state.gitbench, ctx.tools)
    theirs = Snapshot.take(state.git, ctx.tools)
    return (
        Side((), "", state.gitbench, lambda: ours.restore(ctx.tools)),
        Side((), "", state.git, lambda: theirs.restore(ctx.tools)),
    )


def _publish_then_restore(ctx: Context, workload: str, state: Pair, published: str) -> None:
    runs, warmup = ctx.config.repetitions()
    ours, theirs = _in_place(ctx, state)
    ctx.time(
        Case(
            "publish",
            workload,
            replace(ours, command=ctx.tools.gitbench("publish"), label="gitbench publish"),
            replace(
                theirs,
                command=shell(GIT_PUBLISH),
                label="git tag -a + merge --ff-only + branch -D",
            ),
            target=1.5,
            runs=runs,
            warmup=warmup,
        )
    )
    require_same_tree(state, "main", ctx.tools)
    if not ctx.wants("restore"):
        return
    checkpoint = publish_checkpoint(state.gitbench, ctx.tools)
    ours, theirs = _in_place(ctx, state)
    ctx.time(
        Case(
            "restore",
            workload,
            replace(
                ours,
                command=ctx.tools.gitbench("checkpoint", "restore", checkpoint),
                label="gitbench checkpoint restore ID",
            ),
            replace(
                theirs,
                command=shell(GIT_RESTORE),
                label="git tag -a + read-tree -m -u + commit-tree + update-ref",
            ),
            target=1.5,
            runs=runs,
            warmup=warmup,
        )
    )
    if require_same_tree(state, "main", ctx.tools) != published:
        raise RuntimeError("checkpoint restore did not bring back the published files")


def _add_big(ctx: Context, w: BigWorkload, state: Pair, guard: FileGuard) -> Case:
    def fresh(repo: Path, template: Path) -> Callable[[], None]:
        def reset() -> None:
            guard.check()
            fresh_git_dir(repo, template)

        return reset

    runs, warmup = ctx.config.repetitions(w.size)
    return Case(
        "add-big",
        w.name,
        Side(
            ctx.tools.gitbench("add", BIG_NAME),
            f"gitbench add {BIG_NAME}",
            state.gitbench,
            fresh(state.gitbench, ctx.empty.gitbench),
        ),
        Side(
            shell(GIT_ADD_BIG),
            f"git add {BIG_NAME} && git commit -q",
            state.git,
            fresh(state.git, ctx.empty.git),
        ),
        target=1.5,
        runs=runs,
        warmup=warmup,
        memory_target_mib=MEMORY_TARGET_MIB,
    )
