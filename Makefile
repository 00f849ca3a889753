# Two entry points do all set-up on a fresh machine: `make serve` and `make test`.
# Every step is idempotent: stamps in .venv/ and node_modules/ skip work already done.

VENV      := .venv
BIN       := $(VENV)/bin
PY        := $(BIN)/python
CHROMIUM  := /usr/bin/chromium
HOST      ?= 127.0.0.1
PORT      ?= 8000

.PHONY: setup build serve test check bench clean

setup: $(VENV)/.installed node_modules/.installed

# The Python environment: Python >= 3.12 (pyodide-build needs it), the project editable, test extras.
$(VENV)/.installed: pyproject.toml
	@$(PY) -m pip --version >/dev/null 2>&1 || { rm -rf $(VENV); \
		python=$$(scripts/find-python) && "$$python" -m venv $(VENV); }
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $@

# The Pyodide runtime, exactly as pinned in package-lock.json.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

# Debian's Chromium for the browser tests (Playwright cannot download browsers here).
$(CHROMIUM):
	apt-get update
	DEBIAN_FRONTEND=noninteractive apt-get install -y chromium

check: setup
	$(BIN)/nenguide check

build: setup
	$(BIN)/nenguide build

# A local preview: drafts are listed in the version menu beside the published releases.
serve: setup
	$(BIN)/nenguide build --drafts --site-url http://$(HOST):$(PORT)/
	$(BIN)/nenguide serve --host $(HOST) --port $(PORT)

# The tests build the site themselves (into a temporary folder) and serve it on loopback.
test: setup $(CHROMIUM)
	$(BIN)/pytest

# Not part of the tests: writes BENCHMARKS.md (bench/run.py --help for fewer runs).
bench: setup $(CHROMIUM)
	$(PY) bench/run.py

clean:
	rm -rf site build .pytest_cache
