"""How full the workbench is for the model that will read it (issue 7, the seed formula).

usage = 500 × file count + Σ file weight + conversation characters / 4, where a text file
weighs bytes / 4 (25,000 for a file over 102,400 bytes, which the model reads in parts) and an
opaque file 500 (it is shown by metadata only). score = usage / the model's context window,
clamped to 0–1. Divisions round down, so usage is a whole number of estimated tokens.
"""

from __future__ import annotations

from typing import Literal

from gitbench.providers.registry import model_info
from gitbench.services.conversation import read_entries
from gitbench.services.model_choice import effective_model
from gitbench.services.models import ClutterResult
from gitbench.store import kinds, objects, refs, treestats
from gitbench.store.caches import load_cache, save_cache
from gitbench.store.repo import Workbench
from gitbench.store.types import DRAFT, MAIN, TreeFile

PER_FILE = 500
OPAQUE_WEIGHT = 500
BIG_TEXT_BYTES = 102_400
BIG_TEXT_WEIGHT = 25_000
DEFAULT_WINDOW = 128_000
MODERATE_AT = 0.40
HEAVY_AT = 0.70
WARNING = "Workbench is cluttered — performance may be degraded."
CACHE_NAME = "clutter.json"
CACHE_TREES = 64

Level = Literal["light", "moderate", "heavy"]


def clutter(wb: Workbench, model_id: str | None) -> ClutterResult:
    """The clutter of the draft's files (main's when there is no draft) and the saved
    conversation, measured against `model_id`'s context window (128,000 when None)."""
    count, weight = _tree_weight(wb)
    chars = sum(len(entry.text) for entry in read_entries(wb))
    usage = PER_FILE * count + weight + chars // 4
    window = model_info(model_id).context_window if model_id else DEFAULT_WINDOW
    score = min(1.0, max(0.0, usage / window))
    level = level_of(score)
    return ClutterResult(
        score=score,
        level=level,
        usage=usage,
        window=window,
        model=model_id,
        files=count,
        conversation_chars=chars,
        warning=WARNING if level == "heavy" else None,
        note=None if model_id else f"no model chosen: measured against {DEFAULT_WINDOW:,} tokens",
    )


def workbench_clutter(wb: Workbench, override: str | None = None) -> ClutterResult:
    """Clutter for the model a command would use: `override`, else the chosen default."""
    return clutter(wb, effective_model(wb, override).id)


def level_of(score: float) -> Level:
    if score < MODERATE_AT:
        return "light"
    return "moderate" if score < HEAVY_AT else "heavy"


def _tree_weight(wb: Workbench) -> tuple[int, int]:
    """(file count, summed weight) of the draft's tree, or main's. Both depend only on the tree
    id, so they are cached by it: `status` on 10,000 files must not read every size each time."""
    tip = refs.read_ref(wb, DRAFT) or refs.read_ref(wb, MAIN)
    if tip is None:
        return 0, 0
    tree = objects.commit_info(wb, tip).tree
    cache = _load_cache(wb)
    if tree not in cache:
        files = objects.tree_files(wb, tree)
        # Every size was just read: a checkpoint of this tree need not read them again.
        treestats.remember(wb, tree, treestats.TreeTotals(len(files), sum(f.size for f in files)))
        cache = {
            **dict(list(cache.items())[-(CACHE_TREES - 1) :]),
            tree: (len(files), _weights(wb, files)),
        }
        save_cache(wb, CACHE_NAME, dict(cache))
    return cache[tree]


def _load_cache(wb: Workbench) -> dict[str, tuple[int, int]]:
    raw = load_cache(wb, CACHE_NAME)
    return {
        k: (int(v[0]), int(v[1])) for k, v in raw.items() if isinstance(v, list) and len(v) == 2
    }


def _weights(wb: Workbench, files: list[TreeFile]) -> int:
    kind_of = kinds.blob_kinds(wb, [f.blob for f in files])
    return sum(_weight(f.size, kind_of[f.blob]) for f in files)


def _weight(size: int, kind: kinds.FileKind) -> int:
    if kind == "opaque":
        return OPAQUE_WEIGHT
    return BIG_TEXT_WEIGHT if size > BIG_TEXT_BYTES else size // 4
