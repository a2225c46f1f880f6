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
# Course edition `make lab` opens: en (notebooks/) or zh (notebooks/zh/). Not LANG, which is the locale.
COURSE_LANG ?= en
ifeq ($(filter $(COURSE_LANG),en zh),)
$(error COURSE_LANG must be en or zh, got '$(COURSE_LANG)')
endif
WELCOME := $(if $(filter zh,$(COURSE_LANG)),notebooks/zh/00-welcome.ipynb,notebooks/00-welcome.ipynb)

.PHONY: lab lab-zh test soak soak6824 bench figure16 browser-deps clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

lab: $(STAMP)
	$(VENV)/bin/jupyter lab --port=$(PORT) $(ROOT_FLAG) --ServerApp.root_dir=. \
		--LabApp.default_url=/lab/tree/$(WELCOME) $(LAB_ARGS)

lab-zh:
	@$(MAKE) --no-print-directory lab COURSE_LANG=zh

test: $(STAMP) browser-deps
	$(PY) -m pytest -n 2 -q

browser-deps:
	@bash tools/install-chromium.sh

soak: $(STAMP)
	$(PY) -m raftlib.soak --seeds $${SEEDS:-10000}

soak6824: $(STAMP)
	RAFT_SEEDS=$${SEEDS:-200} $(PY) -m pytest tests/mit6824 -n 2 -q

bench: $(STAMP)
	$(PY) -m raftlib.bench
	$(PY) -m raftlib.bench_widget
	$(PY) -m raftlib.bench_widget --browser

figure16: $(STAMP)
	$(PY) -m raftlib.experiments --full --plot figure16.png

clean:
	rm -rf $(VENV) .grading .pytest_cache
