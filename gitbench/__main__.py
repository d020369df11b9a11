from __future__ import annotations

from gitbench.cli.main import main

main()
