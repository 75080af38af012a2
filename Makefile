# Every target sets itself up on a fresh machine: it creates .venv and installs what it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test lint typecheck unit demo bench bench-instructions fuzz matrix clean

FUZZ_SECONDS ?= 60

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,browser]'
	touch $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check src

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest

test: lint typecheck unit

demo: $(STAMP)
	$(BIN)/python examples/demo.py

# Coverage-guided fuzzing of the core's request entry points, for FUZZ_SECONDS.
fuzz: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,fuzz]'
	$(BIN)/python fuzz/fuzz_core.py -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048 fuzz/corpus

# In-process and real-server benchmarks against bare Flask and flask-cors (the optional peer);
# results also go to build/*.json. bench-instructions counts instructions under valgrind instead
# of timing, which makes the ratios independent of machine load (slower: several minutes).
BENCH_ARGS ?=
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	@command -v wrk >/dev/null || echo "bench: wrk not found (apt-get install wrk); bench_server.py uses its Python client"
	mkdir -p build
	$(BIN)/python benchmarks/bench_wsgi.py $(BENCH_ARGS) --json build/bench-wsgi.json
	$(BIN)/python benchmarks/bench_server.py $(BENCH_ARGS) --json build/bench-server.json

bench-instructions: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	mkdir -p build
	$(BIN)/python benchmarks/bench_instructions.py --json build/bench-instructions.json

# The version matrix (noxfile.py): Python 3.9 + Flask 2.3.0, Python 3.13 + the newest Flask,
# Flask 3.2.0.dev (FLASK_NEXT_WHEELS, default ../shared/wheels), mypy against floor and newest.
NOX_ARGS ?=
matrix: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[matrix]'
	$(BIN)/nox $(NOX_ARGS)

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .mypy_cache .ruff_cache .nox
