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

.PHONY: lab lab-zh test lite lite-deps soak soak6824 bench explore figure16 browser-deps hub-deps clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

lab: $(STAMP)
	$(VENV)/bin/jupyter lab --port=$(PORT) $(ROOT_FLAG) --ServerApp.root_dir=. \
		--LabApp.default_url=/lab/tree/$(WELCOME) \
		--ServerApp.jpserver_extensions=raftlib.jupyter_nodelay=True $(LAB_ARGS)

lab-zh:
	@$(MAKE) --no-print-directory lab COURSE_LANG=zh

test: $(STAMP) browser-deps lite-deps hub-deps
	$(PY) -m pytest -n 2 -q

browser-deps:
	@bash tools/install-chromium.sh

# The zero-install site (JupyterLite): builds _site/ in its own environment, .cache/lite/venv.
LITE_VENV := .cache/lite/venv
$(LITE_VENV)/.installed-stamp: tools/lite/requirements.txt
	$(PYTHON) -m venv $(LITE_VENV)
	$(LITE_VENV)/bin/python -m pip install --quiet -r tools/lite/requirements.txt
	touch $@

lite: $(LITE_VENV)/.installed-stamp
	$(LITE_VENV)/bin/python tools/lite/build.py $(LITE_ARGS)

# npm fetches the site's Pyodide core: installed for tests/test_lite.py where root and apt-get allow.
lite-deps:
	@command -v npm >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
		&& apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null; } \
		|| echo "lite-deps: npm cannot be installed here: the zero-install site tests will be skipped" >&2

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
	$(PY) -m raftlib.bench_widget --browser
	$(PY) -m raftlib.bench_explore

# The model checker's default bound for ten minutes (README, "Model checking").
explore: $(STAMP)
	$(PY) -m raftlib.bench_explore --limit $${LIMIT:-600} --no-bugs

figure16: $(STAMP)
	$(PY) -m raftlib.experiments --full --plot figure16.png

clean:
	rm -rf $(VENV) .grading .pytest_cache .cache/lite _site
