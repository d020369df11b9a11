"""Whether a file is `text` (strict UTF-8, no NUL) or `opaque` (anything else).

The answer depends only on the bytes, so it is cached by blob id in the git directory: listing a
large workbench twice does not read every blob twice.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

from gitbench.store.caches import load_cache, save_cache
from gitbench.store.objects import blob_chunks
from gitbench.store.repo import Workbench
from gitbench.store.types import ObjectId

FileKind = Literal["text", "opaque"]

# git's own heuristic looks for NUL in the first 8000 bytes; we do the same, then insist the
# whole file decodes as UTF-8 so that the edit pipeline can work on it.
SNIFF_BYTES = 8000
CACHE_NAME = "kinds.json"


def classify_bytes(data: bytes) -> FileKind:
    if b"\x00" in data[:SNIFF_BYTES]:
        return "opaque"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return "opaque"
    return "text"


def classify_path(path: Path) -> FileKind:
    """Classify a file on disk without loading it whole."""
    with path.open("rb") as handle:
        return _classify_stream(iter(lambda: handle.read(1 << 20), b""))


def blob_kinds(wb: Workbench, blobs: list[ObjectId]) -> dict[ObjectId, FileKind]:
    cache = _load(wb)
    missing = [b for b in blobs if b not in cache]
    for blob in missing:
        cache[blob] = _classify_stream(blob_chunks(wb, blob))
    if missing:
        _save(wb, cache)
    return {b: cache[b] for b in blobs}


def remember(wb: Workbench, known: dict[ObjectId, FileKind]) -> None:
    """Record kinds already known (classified from the source files as they were added), so
    listing never reads those blobs back."""
    cache = _load(wb)
    fresh = {blob: kind for blob, kind in known.items() if cache.get(blob) != kind}
    if fresh:
        _save(wb, {**cache, **fresh})


def _classify_stream(chunks: Iterator[bytes]) -> FileKind:
    decoder = codecs.getincrementaldecoder("utf-8")()
    first = True
    try:
        for chunk in chunks:
            if first and b"\x00" in chunk[:SNIFF_BYTES]:
                return "opaque"
            first = False
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "opaque"
    return "text"


def _load(wb: Workbench) -> dict[ObjectId, FileKind]:
    raw = load_cache(wb, CACHE_NAME)
    return {ObjectId(k): v for k, v in raw.items() if v in ("text", "opaque")}


def _save(wb: Workbench, cache: dict[ObjectId, FileKind]) -> None:
    save_cache(wb, CACHE_NAME, {str(blob): kind for blob, kind in cache.items()})
