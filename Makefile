# Every target installs what it needs: a fresh machine runs `make demo` or `make test` and nothing else.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install demo test lint types check bench corpora clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" bash docs/demo.sh

test: $(STAMP)
	$(BIN)/python -m pytest -n 2

lint: $(STAMP)
	$(BIN)/ruff check gitbench tests bench
	$(BIN)/ruff format --check gitbench tests bench

types: $(STAMP)
	$(BIN)/mypy

check: lint types test

bench: $(STAMP)
	$(BIN)/python -m bench.run

corpora: $(STAMP)
	$(BIN)/python -m bench.corpora

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .coverage
