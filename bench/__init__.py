"""gitbench against plain git, side by side, in one run (issue 8).

`python -m bench.run` (or `make bench`) generates the workloads, builds the same starting state
for gitbench and for plain git, times each command interleaved, and prints the ratios against
the targets. See docs/performance.md.
"""
