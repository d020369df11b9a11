#!/usr/bin/env bash
# A scripted tour of gitbench in a temporary workbench: `make demo` runs it.
# Every step is a real command a person would type; plain git is used alongside to show that
# a workbench is an ordinary repository.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }

tour=$(mktemp -d "${TMPDIR:-/tmp}/gitbench-demo.XXXXXX")
trap 'rm -rf "$tour"' EXIT
cd "$tour"

# Some files a person keeps in a folder: notes, a small data file, a binary.
mkdir -p material
printf '# Field notes\n\nThe river rose two metres overnight.\nWe moved the camp uphill.\n' > material/notes.md
printf 'day,level_m\n1,2.1\n2,4.3\n' > material/levels.csv
printf '\x89PNG\r\n\x1a\n\x00\x00' > material/photo.png

step gitbench init bench
cd bench
step gitbench add ../material/notes.md ../material/levels.csv ../material/photo.png
step gitbench ls

# A model's turn. With GITBENCH_MODEL set (e.g. anthropic:claude-sonnet-4-5, with its API key in
# the environment) the real model is asked; otherwise a scripted stand-in on localhost, which
# says in every answer that it is not a model.
if [ -n "${GITBENCH_MODEL:-}" ]; then
  step gitbench model default "$GITBENCH_MODEL" --workbench
else
  export XDG_CONFIG_HOME="$tour/config"   # the stand-in's endpoint never touches your settings
  python3 "$here/demo_model.py" "$tour/port" & standin=$!
  trap 'kill $standin 2>/dev/null; rm -rf "$tour"' EXIT
  for _ in $(seq 50); do [ -s "$tour/port" ] && break; sleep 0.1; done
  printf '\n(scripted stand-in model on http://localhost:%s: no provider configured)\n' "$(cat "$tour/port")"
  gitbench providers set-url ollama "http://localhost:$(cat "$tour/port")/v1" --yes > /dev/null
  step gitbench model default ollama:scripted-demo --workbench
fi
step gitbench ask "Write summary.md: list the text files and how long each is." --yes
step gitbench review
step gitbench publish -m "The model's summary"

# The same turns as a session: a question needs no change, so no draft appears.
printf 'How many files are in the workbench?\n/status\n/quit\n' | step gitbench chat --yes

# A draft: a person's (or later a model's) proposed change. main is untouched.
printf '# Field notes\n\nThe river rose two metres overnight.\nWe moved the camp uphill before dawn.\n' \
  | step gitbench put notes.md
step gitbench put summary.md --from ../material/levels.csv
step gitbench status
step gitbench review
step git diff --stat main draft

step gitbench publish -m "First edit of the notes"
step gitbench checkpoint list
step cat notes.md

# Undo the publish by restoring the checkpoint it left: a new commit, history is kept.
checkpoint=$(gitbench checkpoint list --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["result"]["checkpoints"][-1]["id"])')
step gitbench checkpoint restore "$checkpoint"
step cat notes.md
step git log --oneline main

# Plain git obeys the same rules: moving main by hand is refused by the hooks.
printf '\n$ git update-ref refs/heads/main HEAD~1   (refused by the reference-transaction hook)\n'
if git update-ref refs/heads/main HEAD~1; then echo "unexpected: main moved"; exit 1; fi
printf '\n$ git commit --allow-empty -m "on main"   (refused by the pre-commit hook)\n'
if git commit -q --allow-empty -m "on main"; then echo "unexpected: committed on main"; exit 1; fi
step gitbench status
printf '\nThe tour ran in %s (removed on exit).\n' "$tour"
