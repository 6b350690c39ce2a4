# Two commands do all the set-up: `make run` and `make test`.
PY      ?= python3.11
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
CHROMIUM := /usr/lib/chromium/chromium
SUDO    := $(shell [ "$$(id -u)" = "0" ] || echo sudo)

.PHONY: run test test-pg postgresql test-fast lint build bench bench-load screenshots clean

$(BIN)/python:
	@command -v $(PY) >/dev/null 2>&1 || { echo "python3.11 not found; using python3"; }
	$$(command -v $(PY) || command -v python3) -m venv $(VENV)

$(STAMP): requirements.txt | $(BIN)/python
	$(BIN)/pip install --disable-pip-version-check -q -r requirements.txt
	touch $(STAMP)

# PNG chart export (kaleido) and the browser test need Debian's chromium and Thai fonts (apt, root or sudo).
$(CHROMIUM):
	$(SUDO) sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-thai-tlwg >/dev/null'

run: $(STAMP) $(CHROMIUM)
	$(BIN)/streamlit run app.py --server.port 8501

# One run for both stores: the store-writing test files (BOTH_STORES in tests/conftest.py) run each of their store
# tests on an embedded file and on PostgreSQL, on a private server the tests start and stop (tests/pg_server.py);
# Debian's postgresql package is installed with apt when missing (root or sudo).
test: $(STAMP) $(CHROMIUM) lint postgresql
	@fc-list 2>/dev/null | grep -qi tlwg || $(SUDO) sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-thai-tlwg >/dev/null'
	$(BIN)/python -m pytest -q -n 3 --dist loadfile

postgresql:
	@ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || command -v pg_ctl >/dev/null || $(SUDO) sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null'

# Every test of the suite that takes a store (`store_con`), all on PostgreSQL (about 5 minutes; tests marked
# embedded_only are skipped there).
test-pg: $(STAMP) postgresql
	SKILLS_TEST_STORE=pg $(BIN)/python -m pytest -q -n 2 --dist loadfile -m "not browser" $$(grep -l store_con tests/test_*.py)

# ruff lints and checks the format (config in pyproject.toml); `ruff format .` fixes the format.
lint: $(STAMP)
	$(BIN)/ruff check -q .
	$(BIN)/ruff format --check -q .

test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -n 2 --dist loadfile -m "not browser and not pg"

build: $(STAMP)
	$(BIN)/python -m framework build

BENCH_ROWS ?= 100000,1000000,3000000
bench: $(STAMP) bench-load
	$(BIN)/python bench/run.py --rows $(BENCH_ROWS)

# Real Streamlit sessions over the app's websocket on loopback (bench/load/run.py): small by default (~3 min);
# the issue's sizes: make bench-load LOAD_ARGS="--staff 100 --executives 20 --staff-seconds 300 --deadline 1800"
LOAD_ARGS ?=
bench-load: $(STAMP)
	$(BIN)/python -m bench.load $(LOAD_ARGS)

screenshots: $(STAMP) $(CHROMIUM)
	SKILLS_SCREENSHOTS=1 $(BIN)/python -m pytest -q -m browser

clean:
	rm -rf $(VENV) var .pytest_cache
