"""gitbench: work on a set of files with an AI model, safely.

Every workbench is a git repository: `main` is published, `draft` holds proposed changes,
checkpoints are tags and publish is a fast-forward. See docs/ and design.md.
"""

from __future__ import annotations

__version__ = "0.1.0"
