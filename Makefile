# Every target sets itself up on a fresh machine: it creates .venv and installs what it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test lint typecheck unit docs sdist-check demo bench bench-instructions fuzz matrix clean engine-messages

FUZZ_SECONDS ?= 60

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade 'pip>=25.1'  # 25.1: pip install --group

# The package (editable) plus the pinned tools of pyproject.toml's [dependency-groups].
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e . --group test --group typing --group lint --group browser --group compare
	touch $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check src

typecheck: $(STAMP)
	$(BIN)/mypy

# The whole suite, with branch coverage of the package (floor: fail_under in pyproject.toml). It
# includes the browser suite (tests/browser/), which runs in Chromium, Firefox ESR and WebKitGTK
# (E2E_ENGINES=chromium,firefox narrows it).
PYTEST_ARGS ?=
unit: $(STAMP)
	$(BIN)/pytest --cov --cov-report=term-missing $(PYTEST_ARGS)

test: lint typecheck unit

# Each engine's console line per browser reason id, captured from the real engines into
# src/flask_crossorigin/_engine_messages.py (tests/browser/test_engine_messages.py checks it).
engine-messages: $(STAMP)
	$(BIN)/python tests/browser/capture_messages.py

# The documentation site (Sphinx + MyST), warnings as errors, into build/docs (open index.html).
$(VENV)/.docs-installed: pyproject.toml $(STAMP)
	$(BIN)/python -m pip install --quiet --group docs
	touch $@

docs: $(VENV)/.docs-installed
	rm -rf build/docs
	$(BIN)/sphinx-build -W --keep-going -q -b html -c docs . build/docs
	@echo "docs: build/docs/index.html"

# Builds the sdist and, from it, the wheel; checks both with twine; installs the sdist into a
# fresh venv and runs its non-browser tests from the unpacked sdist (see .ci/sdist-check).
$(VENV)/.package-installed: pyproject.toml $(STAMP)
	$(BIN)/python -m pip install --quiet --group package
	touch $@

sdist-check: $(VENV)/.package-installed
	PYTHON=$(PYTHON) BIN=$(BIN) bash .ci/sdist-check

# DEMO_ARGS="--api-port 8000 --page-port 8001" runs the playground on other ports.
DEMO_ARGS ?=
demo: $(STAMP)
	$(BIN)/python examples/demo.py $(DEMO_ARGS)

# Coverage-guided fuzzing of the core's request entry points, for FUZZ_SECONDS.
fuzz: $(STAMP)
	$(BIN)/python -m pip install --quiet --group fuzz
	$(BIN)/python fuzz/fuzz_core.py -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048 fuzz/corpus

# In-process and real-server benchmarks against bare Flask and flask-cors (the optional peer);
# results also go to build/*.json. bench-instructions counts instructions under valgrind instead
# of timing, which makes the ratios independent of machine load (slower: several minutes).
BENCH_ARGS ?=
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet --group bench
	@command -v wrk >/dev/null || echo "bench: wrk not found (apt-get install wrk); bench_server.py uses its Python client"
	mkdir -p build
	$(BIN)/python benchmarks/bench_wsgi.py $(BENCH_ARGS) --json build/bench-wsgi.json
	$(BIN)/python benchmarks/bench_server.py $(BENCH_ARGS) --json build/bench-server.json

bench-instructions: $(STAMP)
	$(BIN)/python -m pip install --quiet --group bench
	mkdir -p build
	$(BIN)/python benchmarks/bench_instructions.py --json build/bench-instructions.json

# The version matrix (noxfile.py): Python 3.9 + Flask 2.3.0, Python 3.13 + the newest Flask,
# Flask 3.2.0.dev (FLASK_NEXT_WHEELS, default ../shared/wheels), mypy against floor and newest.
NOX_ARGS ?=
matrix: $(STAMP)
	$(BIN)/python -m pip install --quiet --group matrix
	$(BIN)/nox $(NOX_ARGS)

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .mypy_cache .ruff_cache .coverage htmlcov .nox
