"""The safe edit pipeline: pure functions from (file bytes, proposal) to new bytes or a rejection.

Nothing here does I/O or imports pygit2. The store reads blobs, calls `apply_response` (in
`gitbench.edits.apply`), and writes what comes back; see docs/edits.md for the payload schema,
the reason codes and the inspector knobs.
"""

from __future__ import annotations
