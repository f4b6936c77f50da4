# Two commands on a fresh machine: `make demo` and `make test` (see README.md).
# Paths are relative and tools run as `python -m ...`, so a checkout in a folder whose
# path has spaces works (venv entry-point scripts do not).

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# One stamp per checkout location: a moved checkout reinstalls (its editable install
# points at the old path); an unchanged one never reinstalls.
LOCATION := $(shell printf '%s' "$(CURDIR)" | cksum | cut -d' ' -f1)
DEV_STAMP := $(VENV)/.installed-dev-$(LOCATION)
BENCH_STAMP := $(VENV)/.installed-bench-$(LOCATION)
PIP := $(PY) -m pip --disable-pip-version-check --quiet
OUT := data/processed
CHARTS := data/charts
# The browser test drives Debian's chromium through Playwright (never a downloaded
# browser); installing it needs root, or sudo.
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: help install demo test bench lab clean chromium

help:
	@echo "make demo   set up .venv, run the pipeline on data/articles/, write tables and charts"
	@echo "make test   set up .venv when needed, run the tests"
	@echo "make bench  throughput of our pipeline next to its peers"
	@echo "make lab    JupyterLab on the notebooks (offline charts)"
	@echo "make clean  remove generated outputs (not the venv)"

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python >= 3.11 is needed; set PYTHON=python3.11 (or newer)")'
	$(PYTHON) -m venv $(VENV)

# The dask extra is part of the test install: the Dask engine's tests run in CI.
$(DEV_STAMP): pyproject.toml Makefile | $(PY)
	$(PIP) install --upgrade pip
	$(PIP) install -e '.[dev,dask]'
	@rm -f $(VENV)/.installed-dev-*
	@touch $(DEV_STAMP)

$(BENCH_STAMP): pyproject.toml $(DEV_STAMP)
	$(PIP) install -e '.[dev,dask,bench]'
	# CQE (a peer): its dependencies come with the bench extra; it hard-codes the
	# en_US.UTF-8 locale, generated here when the system lacks it (best effort).
	$(PIP) install --no-deps 'cqe>=2.0.3'
	-@locale -a 2>/dev/null | grep -qi '^en_US.utf-\?8$$' || localedef -i en_US -f UTF-8 en_US.UTF-8 2>/dev/null || true
	@rm -f $(VENV)/.installed-bench-*
	@touch $(BENCH_STAMP)

install: $(DEV_STAMP)

demo: $(DEV_STAMP)
	$(PY) -m analysis run data/articles --out $(OUT)
	$(PY) -m analysis chart --tables $(OUT) --out $(CHARTS)

# Idempotent: nothing to do when chromium is there.
chromium:
	@[ -x $(CHROMIUM) ] || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium; }

test: $(DEV_STAMP) chromium
	TZ=UTC $(PY) -m pytest

bench: $(BENCH_STAMP)
	$(PY) -m analysis.bench

lab: $(DEV_STAMP)
	@[ -f $(OUT)/run.json ] || $(PY) -m analysis run data/articles --out $(OUT)
	$(PY) -m jupyterlab --ServerApp.root_dir=notebooks $(if $(SUDO),,--ServerApp.allow_root=True)

clean:
	rm -rf $(OUT) data/charts
