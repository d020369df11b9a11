"""The egress policy: which requests may leave, with whose consent, and the log of each decision.

Nothing here reads the workbench's git objects; services pass paths and scope hashes in.
"""

from __future__ import annotations
