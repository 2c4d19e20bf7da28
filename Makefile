# One entry point for a fresh machine: `make serve` (set up, serve the default model) and
# `make test` (set up, run the tests). Both create .venv and install the project into it.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
CORPUS ?= ../shared/corpus/decisions.jsonl

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

.PHONY: setup serve test model bench
setup: $(BIN)/.installed

serve: setup
	$(BIN)/motion-outcome serve

test: setup
	$(BIN)/pytest

# Rebuild the committed default model (deterministic for the seed).
model: setup
	$(BIN)/motion-outcome train --corpus $(CORPUS) --out model/default --seed 0

bench: setup
	$(BIN)/python bench/predict_throughput.py
