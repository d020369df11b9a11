"""`python -m bench.bench_apply`: speed and guard efficacy of the safe edit pipeline.

Speed (spec: Benchmark): workloads W1 (one proposal of N unique-anchor replaces), W2 (one
whole-file write, 0.1 % of lines changed) and W3 (100 single-op proposals, one commit each) on
generated fixtures, in three modes on a real workbench in a temporary directory:

* U: unguarded, pygit2 only: read the blob, splice at precomputed byte offsets, create_blob,
  tree, commit, ref set;
* G: `gitbench.services.proposals.apply_document`, exactly what `gitbench apply` runs;
* G-I: the same with `edits.inspector` set to false in the workbench's config.

Efficacy: injected faults (50 of each type) and 1,000 benign edits through the pure pipeline
(`parse_response` + `apply_response`), once with the default settings and once with
`mid_word_added_breaks_only`. Results go to bench/results/edits.jsonl; see
docs/edits-performance.md.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pygit2
from rich.console import Console
from rich.table import Table

from bench import edit_fixtures as fx
from gitbench.edits.apply import Checks, apply_response, parse_response, shown_file
from gitbench.edits.change import Change, char_at, finding, is_word
from gitbench.edits.duplicates import duplicate_block
from gitbench.edits.inspector import CHECKS
from gitbench.edits.reasons import ReasonCode
from gitbench.edits.results import Applied, Diagnostic, NoOp, Rejection
from gitbench.edits.schema import EditProposal, ShownFile, blob_oid
from gitbench.edits.settings import EditSettings
from gitbench.errors import GitbenchError
from gitbench.services.proposals import apply_document
from gitbench.services.session import open_bench
from gitbench.services.settings import set_setting
from gitbench.services.shown import record_context
from gitbench.services.workbench import init_workbench
from gitbench.store.repo import Workbench

RESULTS = Path(__file__).resolve().parent / "results" / "edits.jsonl"
DRAFT = "refs/heads/draft"
MB = 1_000_000
MODES = ("U", "G", "G-I")
PHASES = ("parse", "precondition", "resolve", "apply", "inspect", "write", "ref")
U_PHASES = ("read", "apply", "write", "ref")
W3_PROPOSALS = 100
SLOW_S = 2.0  # a run this slow gets 2 measured runs after its warm-up (marked trimmed)
VERY_SLOW_S = 10.0  # a run this slow is measured once
HEAVY = 5 * MB  # from this size on, W1-N10 and W3 run only with --full


@dataclass(frozen=True)
class Plan:
    sizes: tuple[int, ...]
    fixtures: tuple[str, ...]
    workloads: tuple[str, ...]
    iterations: int
    warmups: int
    budget_s: float  # per case and mode; trims the iterations of slow cases
    faults_each: int
    probes_each: int
    benign: int
    efficacy: bool
    speed: bool
    full: bool
    seed: int
    out: Path


# --- the workbench ---------------------------------------------------------------------------


@dataclass
class Bench:
    wb: Workbench
    base: pygit2.Oid  # the draft commit holding every fixture

    @property
    def repo(self) -> pygit2.Repository:
        return self.wb.repo

    def reset(self) -> None:
        self.repo.references[DRAFT].set_target(self.base)

    def inspector(self, on: bool) -> None:
        set_setting(self.wb, "edits.inspector", "true" if on else "false")


def make_bench(root: Path, files: dict[str, bytes]) -> Bench:
    """A workbench (gitbench init) whose draft holds `files`; main stays empty, so no checkout."""
    init_workbench(root)
    wb = open_bench(root)
    repo = wb.repo
    head = repo.references["refs/heads/main"].target
    builder = repo.TreeBuilder(repo[head].peel(pygit2.Tree))
    for path, data in files.items():
        builder.insert(path, repo.create_blob(data), pygit2.GIT_FILEMODE_BLOB)
    sig = pygit2.Signature("bench", "bench@localhost")
    base = repo.create_commit(None, sig, sig, "fixtures", builder.write(), [head])
    repo.references.create(DRAFT, base)
    return Bench(wb, base)


# --- workloads -------------------------------------------------------------------------------

Splice = tuple[int, int, bytes]  # byte start, byte end, new bytes (in the original file)


@dataclass(frozen=True)
class Step:
    """One proposal: the JSON a model sends (G), and the same change as byte splices (U)."""

    raw: str
    splices: list[Splice]


@dataclass(frozen=True)
class Workload:
    name: str  # W1-N1, W1-N10, W1-N100, W2, W3
    kind: str
    size: int
    steps: Callable[[int], list[Step]]  # iteration -> the proposals of one run


def _byte_offsets(kind: str, text: str, positions: list[int]) -> dict[int, int]:
    """View offsets -> byte offsets in the file (UTF-8, CRLF), in one pass."""
    offsets, done, total = {}, 0, 0
    for pos in sorted(set(positions)):
        chunk = text[done:pos]
        total += len(chunk.encode()) + (chunk.count("\n") if kind == "crlf" else 0)
        offsets[pos], done = total, pos
    return offsets


def _doc(path: str, ops: list[dict[str, Any]], summary: str) -> str:
    return json.dumps(fx.document([{"path": path, "ops": ops}], summary))


def _replace_steps(
    kind: str, text: str, spans: list[tuple[int, int]], rng: random.Random
) -> list[tuple[tuple[int, int], str]]:
    return [(span, fx.word_edit(text, span, rng, kind != "prose")) for span in spans]


def w1(kind: str, text: str, n: int, seed: int) -> Callable[[int], list[Step]]:
    """N word edits at N unique word-aligned anchors. For N <= 10 every run draws new anchors
    (the cost depends on where they fall); 100 anchors already spread over the whole file."""
    fixed = fx.spread_anchors(text, n, random.Random(f"{seed}:w1:{kind}:{n}")) if n > 10 else None
    path = fx.PATHS[kind]

    def steps(iteration: int) -> list[Step]:
        rng = random.Random(f"{seed}:w1:{kind}:{n}:{iteration}")
        spans = fixed or fx.spread_anchors(text, n, rng)
        offsets = _byte_offsets(kind, text, [p for span in spans for p in span])
        edits = _replace_steps(kind, text, spans, rng)
        ops = [fx.replace_op(text[a:b], new) for (a, b), new in edits]
        splices = [(offsets[a], offsets[b], fx.bytes_of(kind, new)) for (a, b), new in edits]
        return [Step(_doc(path, ops, f"W1 N={n}"), splices)]

    return steps


def w2(kind: str, text: str, seed: int) -> Callable[[int], list[Step]]:
    lines = text.split("\n")
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    rng = random.Random(f"{seed}:w2:{kind}")
    editable = [i for i, line in enumerate(lines) if len(fx.WORD.findall(line)) >= 3]
    chosen = sorted(rng.sample(editable, max(1, round(0.001 * len(lines)))))
    offsets = _byte_offsets(
        kind, text, [starts[i] for i in chosen] + [starts[i] + len(lines[i]) for i in chosen]
    )
    path = fx.PATHS[kind]

    def steps(iteration: int) -> list[Step]:
        edit_rng = random.Random(f"{seed}:w2:{iteration}")
        new_lines, splices = list(lines), []
        for i in chosen:
            new_lines[i] = fx.word_edit(lines[i], (0, len(lines[i])), edit_rng, kind != "prose")
            begin, end = offsets[starts[i]], offsets[starts[i] + len(lines[i])]
            splices.append((begin, end, new_lines[i].encode()))
        return [Step(_doc(path, [fx.write_op("\n".join(new_lines))], "W2 write"), splices)]

    return steps


def w3(kind: str, text: str, seed: int) -> Callable[[int], list[Step]]:
    rng = random.Random(f"{seed}:w3:{kind}")
    spans = fx.spread_anchors(text, W3_PROPOSALS, rng)
    rng.shuffle(spans)
    offsets = _byte_offsets(kind, text, [p for span in spans for p in span])
    path = fx.PATHS[kind]

    def steps(iteration: int) -> list[Step]:
        edits = _replace_steps(kind, text, spans, random.Random(f"{seed}:w3:{iteration}"))
        done: list[tuple[int, int]] = []  # (byte offset, size delta) of earlier proposals
        out = []
        for (a, b), new in edits:
            data = fx.bytes_of(kind, new)
            shift = sum(delta for at, delta in done if at < offsets[a])
            out.append(
                Step(
                    _doc(path, [fx.replace_op(text[a:b], new)], "W3 proposal"),
                    [(offsets[a] + shift, offsets[b] + shift, data)],
                )
            )
            done.append((offsets[a], len(data) - (offsets[b] - offsets[a])))
        return out

    return steps


def workloads(
    kind: str, size: int, text: str, names: tuple[str, ...], seed: int
) -> Iterator[Workload]:
    for name in names:
        if name.startswith("W1-N"):
            n = int(name.removeprefix("W1-N"))
            yield Workload(name, kind, size, w1(kind, text, n, seed))
        elif name == "W2":
            yield Workload(name, kind, size, w2(kind, text, seed))
        elif name == "W3":
            yield Workload(name, kind, size, w3(kind, text, seed))


# --- one proposal in each mode ---------------------------------------------------------------

_SIG = pygit2.Signature("bench", "bench@localhost", 0, 0)


def run_unguarded(bench: Bench, path: str, step: Step) -> dict[str, float]:
    """Mode U: the same bytes as G produces, with no check at all."""
    repo, clock = bench.repo, time.perf_counter_ns
    t0 = clock()
    ref = repo.references[DRAFT]
    head = repo[ref.target].peel(pygit2.Commit)
    data = repo[head.tree[path].id].peel(pygit2.Blob).data
    t1 = clock()
    pieces, pos = [], 0
    for start, end, new in step.splices:
        pieces += [data[pos:start], new]
        pos = end
    pieces.append(data[pos:])
    out = b"".join(pieces)
    t2 = clock()
    builder = repo.TreeBuilder(head.tree)
    builder.insert(path, repo.create_blob(out), pygit2.GIT_FILEMODE_BLOB)
    commit = repo.create_commit(None, _SIG, _SIG, "unguarded", builder.write(), [head.id])
    t3 = clock()
    ref.set_target(commit)
    t4 = clock()
    laps = (t1 - t0, t2 - t1, t3 - t2, t4 - t3)
    return dict(zip(U_PHASES, (ns / 1e6 for ns in laps), strict=True)) | {"total": (t4 - t0) / 1e6}


def run_guarded(bench: Bench, step: Step, rejected: Counter[str]) -> dict[str, float] | None:
    """Modes G and G-I: `gitbench apply` (the store integration), timed from outside. A
    refusal of a benign benchmark proposal is a false positive: counted, never timed."""
    started = time.perf_counter_ns()
    try:
        result = apply_document(bench.wb, step.raw, model="bench")
    except GitbenchError as exc:
        rejected[str(exc.subphase)] += 1
        return None
    total = (time.perf_counter_ns() - started) / 1e6
    if result.status != "applied":
        raise RuntimeError(f"the benchmark proposal was a {result.status}")
    phases = {k: result.timings_ms.get(k, 0.0) for k in PHASES}
    return phases | {"other": total - sum(phases.values()), "total": total}


def context_ms(bench: Bench, path: str) -> float:
    """What `apply_document` spends recording the context (a model's path does it at prompt time)."""
    started = time.perf_counter_ns()
    record_context(bench.wb, [path])
    return (time.perf_counter_ns() - started) / 1e6


@dataclass
class Runner:
    """Runs one workload in one mode; every run gets fresh replacement words (new blobs)."""

    bench: Bench
    mode: str
    load: Workload
    iteration: int = 0
    rejected: Counter[str] = field(default_factory=Counter)

    def draw(self) -> list[Step]:
        steps = self.load.steps(self.iteration)
        self.iteration += 1
        return steps

    def execute(self, steps: list[Step]) -> list[dict[str, float]]:
        """One run from the base commit (W3: its 100 proposals in sequence); refused
        proposals are counted in `rejected` and left out."""
        self.bench.reset()
        samples = [self._step(step) for step in steps]
        return [s for s in samples if s is not None]

    def run(self) -> list[dict[str, float]]:
        """One timed run; a refused single-proposal run is drawn again with other words."""
        for _ in range(20):
            applied = self.execute(self.draw())
            if applied:
                return applied
        raise RuntimeError(f"{self.load.name} {self.load.kind}: every draw was refused")

    def _step(self, step: Step) -> dict[str, float] | None:
        if self.mode == "U":
            return run_unguarded(self.bench, fx.PATHS[self.load.kind], step)
        return run_guarded(self.bench, step, self.rejected)

    def peak_memory(self) -> int | None:
        """Peak bytes allocated through Python while one run executes (tracemalloc, which is
        slow, so the run is not timed; the proposal is built before it starts and libgit2's
        own buffers are not seen)."""
        steps = self.draw()
        gc.collect()
        tracemalloc.start()
        try:
            applied = self.execute(steps)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        return peak if applied else None


# --- statistics --------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1)]


def summarize(samples: list[dict[str, float]]) -> dict[str, Any]:
    keys = samples[0].keys()
    totals = [s["total"] for s in samples]
    return {
        "n": len(samples),
        "median_ms": round(statistics.median(totals), 3),
        "p95_ms": round(percentile(totals, 0.95), 3),
        "min_ms": round(min(totals), 3),
        "phases_median_ms": {
            k: round(statistics.median(s[k] for s in samples), 3) for k in keys if k != "total"
        },
    }


def _seconds(samples: list[dict[str, float]]) -> float:
    return sum(s["total"] for s in samples) / 1e3


def measure(bench: Bench, mode: str, load: Workload, plan: Plan) -> dict[str, Any]:
    """A first (warm-up) run, peak memory (one untimed run), more warm-ups, then iterations
    trimmed to the time budget (estimated from the fastest warm-up; W1 N=1, the headline
    case, gets twice the budget). A run over VERY_SLOW_S is reported from that one run alone
    (at that scale a warm-up changes nothing). W3 is one sequence of 100 proposals."""
    runner = Runner(bench, mode, load)
    first_run = runner.run()
    estimate = _seconds(first_run)
    memory, warmups = None, 1
    if load.name == "W3" or estimate > VERY_SLOW_S:
        samples, runs, warmups = first_run, 1, 0
    else:
        memory = runner.peak_memory() if mode != "G-I" else None
        if estimate <= SLOW_S:
            warmups = plan.warmups
            for _ in range(1, warmups):
                estimate = min(estimate, _seconds(runner.run()))
        budget = plan.budget_s * (2 if load.name == "W1-N1" else 1)
        fit = max(3, min(plan.iterations, int(budget / max(estimate, 1e-3))))
        runs = 2 if estimate > SLOW_S else fit
        samples = [s for _ in range(runs) for s in runner.run()]
    return summarize(samples) | {
        "runs": runs,
        "warmups": warmups,
        "trimmed": load.name != "W3" and runs < plan.iterations,
        "peak_bytes": memory,
        "rejected": dict(runner.rejected),
    }


# --- speed -------------------------------------------------------------------------------------


def speed_records(plan: Plan, console: Console, tmp: Path) -> Iterator[dict[str, Any]]:
    names = tuple(
        n for w in plan.workloads for n in (("W1-N1", "W1-N10", "W1-N100") if w == "W1" else (w,))
    )
    for size in plan.sizes:
        light = plan.full or size < HEAVY
        sized = tuple(n for n in names if light or n not in ("W1-N10", "W3"))
        files = {fx.PATHS[k]: fx.make_fixture(k, size, plan.seed) for k in plan.fixtures}
        bench = make_bench(tmp / f"wb-{size}", files)
        for kind in plan.fixtures:
            data = files[fx.PATHS[kind]]
            text = fx.view_of(kind, data)
            ctx = statistics.median(context_ms(bench, fx.PATHS[kind]) for _ in range(3))
            for load in workloads(kind, size, text, sized, plan.seed):
                for mode in MODES:
                    bench.inspector(mode != "G-I")
                    stats = measure(bench, mode, load, plan)
                    record = {
                        "type": "speed",
                        "fixture": kind,
                        "size": size,
                        "bytes": len(data),
                        "workload": load.name,
                        "mode": mode,
                        "context_ms": round(ctx, 3),
                        "mb_per_s": round(len(data) / MB / (stats["median_ms"] / 1e3), 2),
                    } | stats
                    console.log(
                        f"{kind} {_size(size)} {load.name} {mode}: {stats['median_ms']:.1f} ms (n={stats['n']})"
                    )
                    yield record
                bench.inspector(True)


# --- efficacy ----------------------------------------------------------------------------------


@dataclass
class Outcome:
    status: str  # applied, noop, rejected
    stage: str | None = None
    reason: str | None = None
    checks: list[str] = field(default_factory=list)


def evaluate(case: fx.Case, shown_text: str, settings: EditSettings, checks: Checks) -> Outcome:
    """The pure pipeline on a model-shaped document: parse, envelope, preconditions, apply."""
    path = fx.PATHS[case.fixture]
    shown_bytes = fx.bytes_of(case.fixture, shown_text)
    head = shown_bytes if case.current is None else fx.bytes_of(case.fixture, case.current)
    response = parse_response(json.dumps(fx.document([{"path": path, "ops": case.ops}])))
    if isinstance(response, Rejection):
        return _outcome(response)
    record = shown_file(path, shown_bytes, settings)
    assert isinstance(record, ShownFile)
    proposal = EditProposal(
        proposal_id=uuid.uuid4().hex,
        attempt=1,
        draft_ref=DRAFT,
        base_commit="0" * 40,
        shown={path: record},
        response=response,
        model="bench",
    )
    result = apply_response({path: head}, proposal, {path: blob_oid(head)}, settings, checks=checks)
    if isinstance(result, Applied):
        return Outcome("applied")
    if isinstance(result, NoOp):
        return Outcome("noop")
    return _outcome(result)


def _outcome(rejection: Rejection) -> Outcome:
    checks = sorted({str(d["check"]) for d in rejection.diagnostics if "check" in d})
    return Outcome("rejected", rejection.stage.value, rejection.reason.value, checks)


def efficacy_cases(plan: Plan, size: int) -> tuple[dict[str, str], list[fx.Case]]:
    texts = {k: fx.view_of(k, fx.make_fixture(k, size, plan.seed + 1)) for k in fx.KINDS}
    cases: list[fx.Case] = []
    for fault in fx.FAULTS:
        kinds = tuple(k for k in fx.KINDS if fx.applicable(fault, k))
        for i in range(plan.faults_each):
            kind = kinds[i % len(kinds)]
            rng = random.Random(f"{plan.seed}:fault:{fault}:{i}")
            cases.append(fx.fault_case(fault, kind, texts[kind], rng))
    for probe, kinds in fx.PROBES.items():
        for i in range(plan.probes_each):
            rng = random.Random(f"{plan.seed}:probe:{probe}:{i}")
            kind = kinds[i % len(kinds)]
            cases.append(fx.probe_case(probe, kind, texts[kind], rng))
    big = {
        k: fx.view_of(k, fx.make_fixture(k, MB, plan.seed + 2)) for k in ("prose", "crlf", "code")
    }
    for probe, kinds in fx.BENIGN_PROBES.items():
        for i in range(plan.probes_each):
            kind = kinds[i % len(kinds)]
            rng = random.Random(f"{plan.seed}:benign-probe:{probe}:{i}")
            cases.append(fx.benign_probe_case(probe, kind, big[kind], rng, i))
    for i in range(plan.benign):
        kind = fx.KINDS[i % len(fx.KINDS)]
        cases.append(fx.benign_case(kind, texts[kind], random.Random(f"{plan.seed}:benign:{i}")))
    return texts, cases


def _shared_prefix(a: str, b: str) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n


def _changed(old: str, new: str, suffix_first: bool) -> tuple[int, int, str]:
    """old[i:j] -> middle, once the characters both share at their ends are set aside.
    A pure insertion can slide: prefix-first puts it rightmost, suffix-first leftmost."""
    if suffix_first:
        tail = _shared_prefix(old[::-1], new[::-1])
        head = _shared_prefix(old[: len(old) - tail], new[: len(new) - tail])
    else:
        head = _shared_prefix(old, new)
        tail = _shared_prefix(old[head:][::-1], new[head:][::-1])
    return head, len(old) - tail, new[head : len(new) - tail]


def mid_word_changed_span(change: Change, settings: EditSettings) -> list[Diagnostic]:
    """Prototype (not in gitbench): the mid-word test on the span the op really changes (the
    region less what `search` and `replace` share at both ends), so an anchor that merely starts
    inside a word is not a block inserted inside one, and a block hidden inside a
    word-aligned anchor is. Both ways of aligning a sliding insertion must be mid-word."""
    found = []
    for edit in change.edits:
        old = change.before[edit.start : edit.end]
        if not edit.is_write and all(
            _mid_word(change.before, edit.start, *_changed(old, edit.text, way))
            for way in (False, True)
        ):
            found.append(
                finding(
                    change,
                    settings,
                    ReasonCode.MID_WORD_BLOCK,
                    edit.op_index,
                    pos=edit.after_start,
                    excerpt=None,
                    counts={},
                )
            )
    return found


def _mid_word(view: str, start: int, i: int, j: int, middle: str) -> bool:
    inside = any(
        is_word(char_at(view, b - 1)) and is_word(char_at(view, b)) for b in (start + i, start + j)
    )
    return inside and "\n" in middle


def boilerplate_aware_duplicate_block(change: Change, settings: EditSettings) -> list[Diagnostic]:
    """Prototype (not in gitbench): duplicate_block, less findings whose shingle already
    occurred `duplicate_threshold` times before the edit (house boilerplate, not a paste).
    Approximate: the real check reports one shingle per op, so a filtered op is not re-examined."""
    return [
        d
        for d in duplicate_block(change, settings)
        if d["counts"]["before"] < settings.duplicate_threshold
    ]


_PROPOSED_CHECKS = tuple(
    (
        reason,
        {
            "mid_word_block": mid_word_changed_span,
            "duplicate_block": boilerplate_aware_duplicate_block,
        }.get(reason.value, check),
    )
    for reason, check in CHECKS
)
CONFIGS: dict[str, tuple[EditSettings, Checks]] = {
    "default": (EditSettings(), CHECKS),
    "mid_word_added_breaks_only": (EditSettings(mid_word_added_breaks_only=True), CHECKS),
    "proposed (prototype checks)": (EditSettings(), _PROPOSED_CHECKS),
}
SETTINGS = tuple(CONFIGS)


def efficacy_records(plan: Plan, console: Console) -> Iterator[dict[str, Any]]:
    size = 100_000
    texts, cases = efficacy_cases(plan, size)
    console.log(f"efficacy: {len(cases)} cases on {size // 1000} KB fixtures")
    for name, (settings, checks) in CONFIGS.items():
        for case in cases:
            outcome = evaluate(case, case.shown or texts[case.fixture], settings, checks)
            yield {
                "type": "efficacy_case",
                "settings": name,
                "group": case.group,
                "fixture": case.fixture,
                "variant": case.variant,
                "expect": case.expect,
                "status": outcome.status,
                "stage": outcome.stage,
                "reason": outcome.reason,
                "checks": outcome.checks,
            }


def efficacy_summary(cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Recall per fault type and the false-positive rate, per settings."""
    out = []
    for name in SETTINGS:
        mine = [c for c in cases if c["settings"] == name]
        for fault in fx.FAULTS:
            rows = [c for c in mine if c["group"] == fault]
            caught = [c for c in rows if c["stage"] in ("precondition", "inspect")]
            matched = [c for c in caught if set(fx.EXPECTED[fault]) & {c["reason"], *c["checks"]}]
            misses = Counter(c["fixture"] for c in rows if c not in caught)
            out.append(
                {
                    "type": "recall",
                    "settings": name,
                    "fault": fault,
                    "n": len(rows),
                    "caught": len(caught),
                    "recall": round(len(caught) / max(1, len(rows)), 4),
                    "expected_reason": len(matched),
                    "missed_by_fixture": dict(misses),
                    "generator_errors": sum(1 for c in rows if c["stage"] in ("schema", "resolve")),
                }
            )
        for probe in fx.PROBES:
            rows = [c for c in mine if c["group"] == probe]
            caught = [c for c in rows if c["stage"] == "inspect"]
            out.append(
                {
                    "type": "probe",
                    "settings": name,
                    "probe": probe,
                    "n": len(rows),
                    "caught": len(caught),
                    "by_reason": dict(Counter(c["reason"] for c in caught)),
                    "generator_errors": sum(1 for c in rows if c["stage"] in ("schema", "resolve")),
                }
            )
        for probe in fx.BENIGN_PROBES:
            rows = [c for c in mine if c["group"] == probe]
            bad = [c for c in rows if c["stage"] == "inspect"]
            out.append(
                {
                    "type": "benign_probe",
                    "settings": name,
                    "probe": probe,
                    "n": len(rows),
                    "rejected": len(bad),
                    "by_reason": dict(Counter(c["reason"] for c in bad)),
                    "generator_errors": sum(1 for c in rows if c["stage"] in ("schema", "resolve")),
                }
            )
        benign = [c for c in mine if c["group"] == "benign"]
        fps = [c for c in benign if c["stage"] == "inspect"]
        out.append(
            {
                "type": "false_positives",
                "settings": name,
                "n": len(benign),
                "rejected": len(fps),
                "rate": round(len(fps) / max(1, len(benign)), 4),
                "by_reason": dict(Counter(c["reason"] for c in fps)),
                "by_variant": _rates(benign, fps, "variant"),
                "by_fixture": _rates(benign, fps, "fixture"),
                "generator_errors": sum(
                    1 for c in benign if c["status"] == "rejected" and c["stage"] != "inspect"
                ),
            }
        )
    return out


def _rates(rows: list[dict[str, Any]], bad: list[dict[str, Any]], key: str) -> dict[str, str]:
    total, hits = Counter(r[key] for r in rows), Counter(r[key] for r in bad)
    return {k: f"{hits[k]}/{n}" for k, n in sorted(total.items())}


# --- ratios and targets ------------------------------------------------------------------------


def ratio_records(speed: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    cells: dict[tuple[str, int, str], dict[str, dict[str, Any]]] = defaultdict(dict)
    for r in speed:
        cells[(r["fixture"], r["size"], r["workload"])][r["mode"]] = r
    for (kind, size, name), modes in cells.items():
        u, g, gi = (modes[m]["median_ms"] for m in MODES)
        inspect = modes["G"]["phases_median_ms"].get("inspect", 0.0)
        yield {
            "type": "ratio",
            "fixture": kind,
            "size": size,
            "workload": name,
            "U_ms": u,
            "G_ms": g,
            "G-I_ms": gi,
            "G/U": round(g / u, 3),
            "(G-U)/U": round((g - u) / u, 3),
            "G-U_ms": round(g - u, 3),
            "G-I/U": round(gi / u, 3),
            "inspect_share": round(inspect / g, 3),
            "context_ms": modes["G"]["context_ms"],
            "peak_G_x_file": _times_file(modes["G"]),
            "peak_U_x_file": _times_file(modes["U"]),
            "G_rejected": modes["G"]["rejected"],
        }


def _times_file(record: dict[str, Any]) -> float | None:
    peak = record["peak_bytes"]
    return None if peak is None else round(peak / record["bytes"], 2)


def target_records(
    ratios: list[dict[str, Any]], summary: list[dict[str, Any]]
) -> Iterator[dict[str, Any]]:
    top = max((r["size"] for r in ratios), default=0)
    at_top = [r for r in ratios if r["size"] == top]

    def verdict(
        name: str,
        rows: list[dict[str, Any]],
        ok: Callable[[dict[str, Any]], bool],
        show: Callable[[dict[str, Any]], str],
    ) -> dict[str, Any]:
        detail = {f"{r['fixture']} {r['workload']}": show(r) for r in rows}
        met = all(ok(r) for r in rows) if rows else None
        return {"type": "target", "target": name, "size": top, "met": met, "detail": detail}

    n1 = [r for r in at_top if r["workload"] == "W1-N1"]
    yield verdict("W1 N=1: G/U <= 1.5", n1, lambda r: r["G/U"] <= 1.5, lambda r: f"{r['G/U']:.2f}")
    yield verdict(
        "W1 N=1: G <= U + 50 ms",
        n1,
        lambda r: r["G-U_ms"] <= 50,
        lambda r: f"+{r['G-U_ms']:.0f} ms",
    )
    n100 = [r for r in at_top if r["workload"] == "W1-N100"]
    yield verdict("W1 N=100: G/U <= 3", n100, lambda r: r["G/U"] <= 3, lambda r: f"{r['G/U']:.2f}")
    yield verdict(
        "inspector <= 20 % of G",
        at_top,
        lambda r: r["inspect_share"] <= 0.2,
        lambda r: f"{r['inspect_share']:.0%}",
    )
    measured = [r for r in at_top if r["peak_G_x_file"] is not None]
    yield verdict(
        "peak memory <= 4 x file",
        measured,
        lambda r: r["peak_G_x_file"] <= 4,
        lambda r: f"{r['peak_G_x_file']:.1f}x",
    )
    for s in summary:
        if s["type"] == "recall" and s["settings"] == "default":
            yield {
                "type": "target",
                "target": f"recall {s['fault']} = 100 %",
                "met": s["recall"] == 1.0,
                "detail": f"{s['caught']}/{s['n']}",
            }
        if s["type"] == "false_positives":
            yield {
                "type": "target",
                "target": f"false positives <= 0.5 % ({s['settings']})",
                "met": s["rate"] <= 0.005,
                "detail": f"{s['rejected']}/{s['n']}",
            }


# --- host and output ---------------------------------------------------------------------------


def host_info() -> dict[str, Any]:
    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        cpu = next(
            (
                ln.split(":", 1)[1].strip()
                for ln in cpuinfo.read_text().splitlines()
                if ln.startswith("model name")
            ),
            cpu,
        )
    root = Path(__file__).resolve().parents[1]
    commit = subprocess.run(
        ["git", "rev-parse", "--short=12", "HEAD"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return {
        "type": "host",
        "cpu": cpu,
        "cores": os.cpu_count(),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "pygit2": getattr(pygit2, "__version__", "unknown"),
        "libgit2": pygit2.LIBGIT2_VERSION,
        "gitbench_commit": commit or "unknown",
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def _size(size: int) -> str:
    return f"{size // MB} MB" if size >= MB else f"{size // 1000} KB"


def render(console: Console, title: str, headers: list[str], rows: list[list[str]]) -> None:
    """A rich table on a terminal, a markdown table when piped."""
    if console.is_terminal:
        table = Table(title=title)
        for header in headers:
            table.add_column(header)
        for row in rows:
            table.add_row(*row)
        console.print(table)
        return
    lines = [f"\n### {title}\n", "| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    sys.stdout.write("\n".join(lines) + "\n")


def report(console: Console, records: list[dict[str, Any]]) -> None:
    ratios = [r for r in records if r["type"] == "ratio"]
    speed = {
        (r["fixture"], r["size"], r["workload"], r["mode"]): r
        for r in records
        if r["type"] == "speed"
    }
    rows = []
    for r in ratios:
        g = speed[(r["fixture"], r["size"], r["workload"], "G")]
        phases = g["phases_median_ms"]
        rows.append(
            [
                r["fixture"],
                _size(r["size"]),
                r["workload"],
                f"{r['U_ms']:.1f}",
                f"{r['G_ms']:.1f} / {g['p95_ms']:.1f}",
                f"{r['G-I_ms']:.1f}",
                f"{r['G/U']:.2f}",
                f"{r['G-U_ms']:+.0f}",
                f"{r['inspect_share']:.0%}",
                " ".join(f"{k[:4]}={phases[k]:.0f}" for k in (*PHASES, "other")),
                f"{r['context_ms']:.0f}",
                "-" if r["peak_G_x_file"] is None else f"{r['peak_G_x_file']:.1f}x",
                f"{g['mb_per_s']:.1f}",
                f"{g['n']}{'*' if g['trimmed'] else ''}",
                json.dumps(g["rejected"]) if g["rejected"] else "",
            ]
        )
    if rows:
        headers = [
            "fixture",
            "size",
            "workload",
            "U ms",
            "G ms med/p95",
            "G-I ms",
            "G/U",
            "G-U ms",
            "insp",
            "G phases (median ms)",
            "ctx",
            "peak G",
            "G MB/s",
            "n",
            "G refused",
        ]
        render(console, "Speed (medians; * = iterations trimmed to the time budget)", headers, rows)
    recall = [r for r in records if r["type"] == "recall"]
    if recall:
        rows = [
            [r["fault"], *(_recall_cell(recall, r["fault"], s) for s in SETTINGS)]
            for r in recall
            if r["settings"] == "default"
        ]
        fps = {r["settings"]: r for r in records if r["type"] == "false_positives"}
        rows.append(
            [
                "false positives (benign)",
                *(f"{fps[s]['rejected']}/{fps[s]['n']} = {fps[s]['rate']:.2%}" for s in SETTINGS),
            ]
        )
        render(
            console,
            "Guard efficacy (recall per fault; false-positive rate)",
            ["fault", *SETTINGS],
            rows,
        )
    probes = [r for r in records if r["type"] == "probe"]
    if probes:
        rows = [
            [p["probe"], *(_probe_cell(probes, p["probe"], s) for s in SETTINGS)]
            for p in probes
            if p["settings"] == "default"
        ]
        render(
            console,
            "Probes: faults outside the spec's rules (caught / n)",
            ["probe", *SETTINGS],
            rows,
        )
    benign_probes = [r for r in records if r["type"] == "benign_probe"]
    if benign_probes:
        rows = [
            [p["probe"], *(_benign_cell(benign_probes, p["probe"], s) for s in SETTINGS)]
            for p in benign_probes
            if p["settings"] == "default"
        ]
        render(
            console,
            "Benign probes: harmless edits the random set rarely draws (rejected / n)",
            ["probe", *SETTINGS],
            rows,
        )
    targets = [r for r in records if r["type"] == "target"]
    render(
        console,
        "Targets",
        ["target", "met", "detail"],
        [
            [
                t["target"],
                {True: "yes", False: "NO", None: "not measured"}[t["met"]],
                json.dumps(t["detail"]),
            ]
            for t in targets
        ],
    )


def _probe_cell(probes: list[dict[str, Any]], probe: str, settings: str) -> str:
    r = next(x for x in probes if x["probe"] == probe and x["settings"] == settings)
    return f"{r['caught']}/{r['n']} {r['by_reason'] or ''}"


def _benign_cell(rows: list[dict[str, Any]], probe: str, settings: str) -> str:
    r = next(x for x in rows if x["probe"] == probe and x["settings"] == settings)
    return f"{r['rejected']}/{r['n']} {r['by_reason'] or ''}"


def _recall_cell(recall: list[dict[str, Any]], fault: str, settings: str) -> str:
    r = next(x for x in recall if x["fault"] == fault and x["settings"] == settings)
    missed = f" missed {r['missed_by_fixture']}" if r["missed_by_fixture"] else ""
    return f"{r['caught']}/{r['n']} = {r['recall']:.0%}{missed}"


# --- command line ------------------------------------------------------------------------------


def parse_plan(argv: list[str] | None = None) -> Plan:
    parser = argparse.ArgumentParser(
        prog="python -m bench.bench_apply", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="CI smoke run: 100 KB, few iterations, a smaller efficacy set",
    )
    parser.add_argument(
        "--sizes", help="fixture sizes in MB, comma-separated (default 1,10; --quick 0.1)"
    )
    parser.add_argument(
        "--iterations", type=int, help="measured runs per case and mode (default 30; --quick 10)"
    )
    parser.add_argument(
        "--workloads", default="W1,W2,W3", help="comma-separated subset of W1,W2,W3"
    )
    parser.add_argument(
        "--fixtures",
        default=",".join(fx.KINDS),
        help="comma-separated subset of prose,code,crlf,longline",
    )
    parser.add_argument(
        "--budget",
        type=float,
        help="seconds per case and mode before iterations are trimmed (default 2)",
    )
    parser.add_argument(
        "--full",
        action="store_true",
        help="every workload at every size, no trimming of slow cases by budget",
    )
    parser.add_argument("--no-efficacy", action="store_true", help="speed only")
    parser.add_argument("--efficacy-only", action="store_true", help="guard efficacy only")
    parser.add_argument("--seed", type=int, default=20251124)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    sizes = args.sizes or ("0.1" if args.quick else "1,10")
    return Plan(
        sizes=tuple(int(float(s) * MB) for s in sizes.split(",")),
        fixtures=tuple(args.fixtures.split(",")),
        workloads=tuple(args.workloads.split(",")),
        iterations=args.iterations or (10 if args.quick else 30),
        warmups=2 if args.quick else 3,
        budget_s=args.budget or (1.0 if args.quick else 1e9 if args.full else 2.0),
        faults_each=10 if args.quick else 50,
        probes_each=4 if args.quick else 20,
        benign=200 if args.quick else 1000,
        efficacy=not args.no_efficacy,
        speed=not args.efficacy_only,
        full=args.full,
        seed=args.seed,
        out=args.out,
    )


def main(argv: list[str] | None = None) -> int:
    plan = parse_plan(argv)
    console = Console(stderr=True)
    started = time.monotonic()
    records: list[dict[str, Any]] = [
        host_info() | {"plan": {k: str(v) for k, v in plan.__dict__.items()}}
    ]
    if plan.efficacy:
        cases = list(efficacy_records(plan, console))
        records += cases + efficacy_summary(cases)
    if plan.speed:
        with tempfile.TemporaryDirectory(prefix="gitbench-bench-") as tmp:
            speed = list(speed_records(plan, console, Path(tmp)))
        records += speed + list(ratio_records(speed))
    summary = [r for r in records if r["type"] in ("recall", "false_positives")]
    records += list(target_records([r for r in records if r["type"] == "ratio"], summary))
    records.append({"type": "run", "seconds": round(time.monotonic() - started, 1)})
    plan.out.parent.mkdir(parents=True, exist_ok=True)
    plan.out.write_text("".join(json.dumps(r) + "\n" for r in records))
    report(Console(), records)
    console.log(f"{len(records)} records in {plan.out} ({time.monotonic() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
