# The two commands of the README: `make lab` (open the course) and `make test` (run every test).
# Each creates .venv from the package index the first time (and again when pyproject.toml changes).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
PORT ?= 8888
# Jupyter refuses to run as root unless told; CI and containers run as root.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
LAB_ARGS ?=

.PHONY: lab test soak soak6824 bench figure16 browser-deps hub-deps clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

lab: $(STAMP)
	$(VENV)/bin/jupyter lab --port=$(PORT) $(ROOT_FLAG) --ServerApp.root_dir=. \
		--LabApp.default_url=/lab/tree/notebooks/00-welcome.ipynb $(LAB_ARGS)

test: $(STAMP) browser-deps hub-deps
	$(PY) -m pytest -n 2 -q

browser-deps:
	@bash tools/install-chromium.sh

# The JupyterHub test's environment (/opt/raft-course: a venv from /usr/bin/python3 that every
# user can read, configurable-http-proxy from npm); only as root, where that test runs.
hub-deps:
	@if [ "$$(id -u)" = 0 ] && command -v npm >/dev/null; then bash deploy/hub/setup.sh deps; \
	else echo "hub-deps: not root or no npm: the JupyterHub test will be skipped" >&2; fi

soak: $(STAMP)
	$(PY) -m raftlib.soak --seeds $${SEEDS:-10000}

soak6824: $(STAMP)
	RAFT_SEEDS=$${SEEDS:-200} $(PY) -m pytest tests/mit6824 -n 2 -q

bench: $(STAMP)
	$(PY) -m raftlib.bench
	$(PY) -m raftlib.bench_widget

figure16: $(STAMP)
	$(PY) -m raftlib.experiments --full --plot figure16.png

clean:
	rm -rf $(VENV) .grading .pytest_cache
