# The book's commands. `make book` builds the HTML book; `make test` runs every test.
# Both create and fill the project's own virtual environment (.venv) on first use.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.install-stamp
NOTEBOOKS := $(sort $(wildcard chapters/*.ipynb))

# Datasets: use the offline mirror beside the checkout when the caller has not chosen one.
SHARED_DATA := $(abspath ../shared/datasets)
ifeq ($(origin CNN_BOOK_DATA_DIR),undefined)
ifneq ($(wildcard $(SHARED_DATA)/mnist.npz),)
export CNN_BOOK_DATA_DIR := $(SHARED_DATA)
endif
endif

.DEFAULT_GOAL := help
.PHONY: help install lab vendor book test unit lint nbval gpu-branch strict-build graphviz browser-deps \
  browser-test colab-test execute execute-probe bench lock diff-setup clean

# JavaScript the built book serves itself, so that it renders with no network: MathJax,
# require.js and the ipywidgets HTML manager, from the npm registry (versions pinned in
# web/package-lock.json), copied into web/static/offline (not committed), which _config.yml
# makes a Sphinx static path: the book serves it as _static/offline/.
VENDOR := web/static/offline
NODE_MODULES := web/node_modules
$(VENDOR)/.stamp: web/package.json web/package-lock.json
	npm ci --prefix web --no-audit --no-fund --ignore-scripts --loglevel=error
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/html-manager
	cp -R $(NODE_MODULES)/mathjax/es5 $(VENDOR)/mathjax
	cp $(NODE_MODULES)/requirejs/require.js $(VENDOR)/require.js
	cp $(NODE_MODULES)/@jupyter-widgets/html-manager/dist/embed-amd.js \
	  $(NODE_MODULES)/@jupyter-widgets/html-manager/dist/*.woff2 $(VENDOR)/html-manager/
	touch $@

## What each command does (the README has the details).
help:
	@echo "make book          build the HTML book into _build/html from the stored outputs"
	@echo "make test          every test: unit, lint, nbval, gpu-branch, strict build, browser"
	@echo "make lab           JupyterLab on the chapters, in its own .venv-lab"
	@echo "make execute       re-execute the chapters in full mode and save them"
	@echo "                   (one: make execute NOTEBOOKS=chapters/01_first_cnn.ipynb)"
	@echo "make bench         the benchmarks appendix A shows (SUITES=... for some of them)"
	@echo "make unit | lint | nbval | gpu-branch | strict-build | browser-test"
	@echo "                   one step of make test"
	@echo "make colab-test    every notebook in test mode on Colab's TensorFlow and Keras"
	@echo "make lock          constraints*.txt from the direct requirements (*.in), with uv"
	@echo "make diff-setup    git diff and merge notebooks cell by cell (nbdime), in this clone"
	@echo "make clean         remove _build"

vendor: $(VENDOR)/.stamp

$(STAMP): requirements.txt requirements.in requirements-lab.in requirements-nodeps.txt constraints.txt \
  pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -r requirements-nodeps.txt
	touch $@

install: $(STAMP)

## The learner's set-up: the pinned packages of requirements-lab.txt in .venv-lab, then
## JupyterLab on the chapters (http://localhost:8888; Ctrl-C stops it). LAB_ARGS passes more
## options to `jupyter lab`, e.g. LAB_ARGS=--allow-root where it runs as root.
LAB_VENV := .venv-lab
LAB_STAMP := $(LAB_VENV)/.install-stamp
LAB_ARGS ?=
$(LAB_STAMP): requirements-lab.txt requirements-lab.in requirements-nodeps.txt constraints.txt \
  pyproject.toml
	$(PYTHON) -m venv $(LAB_VENV)
	$(LAB_VENV)/bin/python -m pip install --quiet --disable-pip-version-check --upgrade "pip>=24"
	$(LAB_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-lab.txt
	$(LAB_VENV)/bin/python -m pip install --quiet --disable-pip-version-check --no-deps -r requirements-nodeps.txt
	touch $@

lab: $(LAB_STAMP)
	@# chapter 3's diagrams need graphviz's dot; without it the chapter prints summaries
	@command -v dot >/dev/null || $(MAKE) --no-print-directory graphviz \
	  || echo "Without graphviz, chapter 3 shows each model's summary instead of its diagram" \
	       "(macOS: brew install graphviz)."
	$(LAB_VENV)/bin/jupyter lab --notebook-dir=chapters $(LAB_ARGS)

## Build the HTML book from the notebooks' stored outputs (nothing is re-executed).
book: install vendor
	$(BIN)/jupyter-book build . --keep-going
	@echo "The book is ready: $(abspath _build/html/index.html)"

## Every test: helper unit tests, lint, nbval over every notebook in test mode, the chapters'
## GPU branch simulated on the CPU, a strict book build, and the built book opened offline in
## headless Chromium.
test: install
	@start=$$(date +%s); \
	$(MAKE) --no-print-directory unit lint nbval gpu-branch strict-build browser-test; \
	echo "make test: all passed in $$(( $$(date +%s) - start )) s"

## The settings a reader may export (helpers.runtime) would change what the tests and the stored
## outputs compute: every target that runs notebooks starts without them, then sets its own.
READER_SETTINGS_OFF := env -u CNN_BOOK_MAX_TRAIN -u CNN_BOOK_SIMULATE_GPU

## Tests run on every core (pytest-xdist); PYTEST_WORKERS=0 runs them in this one process.
PYTEST_WORKERS ?= auto
XDIST := -n $(PYTEST_WORKERS)

unit: install graphviz
	$(BIN)/python -m pytest tests --ignore=tests/browser -p no:cacheprovider $(XDIST)

## The lint checks, defined here only (the pre-commit hook runs `make lint`): ruff check on
## helpers, tests, scripts and the notebooks' code cells (chapters/ruff.toml gives those the
## page's width), ruff format --check on helpers, tests and scripts, and the notebooks'
## canonical format.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python scripts/notebook_format.py check

nbval: install graphviz
	$(READER_SETTINGS_OFF) CNN_BOOK_TEST_MODE=1 \
	  $(BIN)/python -m pytest --nbval $(NOTEBOOKS) tests/notebooks \
	  --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg \
	  --nbval-cell-timeout=600 -p no:cacheprovider $(XDIST) --dist loadfile

## The chapters that take a GPU branch (they use helpers.runtime.set_mixed_precision or
## gpu_available), run in test mode as they would run on a GPU: CNN_BOOK_SIMULATE_GPU=1 makes
## gpu_available() answer yes, so mixed_float16 computes in float16 on the CPU. Nothing is
## compared (nbval's lax mode); a cell that raises fails, and -rf lists every one.
GPU_NOTEBOOKS := $(shell grep -l -E 'set_mixed_precision|gpu_available' $(NOTEBOOKS))
gpu-branch: install graphviz
	$(READER_SETTINGS_OFF) CNN_BOOK_TEST_MODE=1 CNN_BOOK_SIMULATE_GPU=1 \
	  $(BIN)/python -m pytest --nbval-lax \
	  $(GPU_NOTEBOOKS) --nbval-current-env --nbval-cell-timeout=600 -p no:cacheprovider -rf \
	  $(XDIST) --dist loadfile

strict-build: install vendor
	$(BIN)/jupyter-book build . --all --warningiserror --nitpick --keep-going

## Debian's graphviz draws the model diagrams (keras.utils.plot_model, through pydot): the
## unit tests, nbval and `make execute` need it, so it is installed with apt when missing, and
## its absence stops the run with the reason.
DOT := /usr/bin/dot
graphviz:
	@if [ -x $(DOT) ]; then exit 0; fi; \
	echo "Installing graphviz for the model diagrams: apt-get install graphviz"; \
	$(call apt_install,graphviz) \
	  || { echo "Could not install graphviz with apt; install Debian's graphviz package" \
	       "(it provides $(DOT)), then run make again." >&2; exit 1; }

## Debian's Chromium for the browser test, installed with apt when it is missing. Where it
## cannot be installed, the browser test is skipped and says why.
CHROMIUM := /usr/bin/chromium
browser-deps:
	@if [ -x $(CHROMIUM) ]; then exit 0; fi; \
	echo "Installing Chromium for the browser test: apt-get install chromium"; \
	$(call apt_install,chromium) \
	  || echo "Could not install Chromium with apt: the browser test will be skipped."

## apt_install(package): one shell command that installs the Debian package (and the fonts the
## figures and the browser test use) with apt, as root or through sudo without a password.
apt_install = { sudo=""; [ "$$(id -u)" = 0 ] || sudo="sudo -n"; \
  $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
  $$sudo apt-get install -y -qq --no-install-recommends $(1) fonts-dejavu-core >/dev/null; }

## Build the book strictly, serve _build/html on localhost and open every page in headless
## Chromium with the network blocked. Screenshots: _build/screenshots/.
browser-test: install browser-deps strict-build
	$(BIN)/python -m pytest tests/browser -rs -p no:cacheprovider

## Colab's stack (requirements-colab.txt: TensorFlow 2.19, Keras 3.10, the oldest the book
## supports) in .venv-colab, the book's helpers installed with --no-deps as the chapters' Colab
## cell installs them, and every notebook run in test mode with nothing compared (nbval's lax
## mode): a cell that raises fails, and -rf lists every one. CI runs it after `make test`.
COLAB_VENV := .venv-colab
COLAB_STAMP := $(COLAB_VENV)/.install-stamp
$(COLAB_STAMP): requirements-colab.txt requirements-colab.in constraints-colab.txt
	$(PYTHON) -m venv $(COLAB_VENV)
	$(COLAB_VENV)/bin/python -m pip install --quiet --disable-pip-version-check --upgrade "pip>=24"
	$(COLAB_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-colab.txt
	@# Colab ships tf-keras (Keras 2) for its TensorFlow; see requirements-nodeps.txt
	$(COLAB_VENV)/bin/python -m pip install --quiet --disable-pip-version-check --no-deps tf-keras==2.19.0
	touch $@

colab-test: $(COLAB_STAMP) graphviz
	@start=$$(date +%s); \
	$(COLAB_VENV)/bin/python -m pip install --quiet --disable-pip-version-check --no-deps \
	  --force-reinstall . ; \
	rm -rf build; \
	$(READER_SETTINGS_OFF) CNN_BOOK_TEST_MODE=1 \
	  $(COLAB_VENV)/bin/python -m pytest --nbval-lax $(NOTEBOOKS) \
	  --nbval-current-env --nbval-cell-timeout=600 -p no:cacheprovider -rf $(XDIST) \
	  --dist loadfile; \
	echo "make colab-test: every notebook ran on Colab's stack in $$(( $$(date +%s) - start )) s"

## Re-execute every chapter in full mode in a fresh kernel and save it (refreshes stored outputs).
## One chapter: make execute NOTEBOOKS=chapters/01_first_cnn.ipynb
## The stored outputs come from TensorFlow's Eigen CPU kernels on every host (CONTRIBUTING.md,
## "CPU code paths"): the tests pass on either path, and leave the choice to the host.
EXECUTE_ONEDNN := 0
execute: install graphviz
	$(READER_SETTINGS_OFF) -u CNN_BOOK_TEST_MODE TF_ENABLE_ONEDNN_OPTS=$(EXECUTE_ONEDNN) \
	  $(BIN)/python scripts/execute_notebooks.py $(NOTEBOOKS)

## The probe notebook that proves nbval's kernel sees test mode is stored from a test-mode run.
execute-probe: install graphviz
	CNN_BOOK_TEST_MODE=1 TF_ENABLE_ONEDNN_OPTS=$(EXECUTE_ONEDNN) $(BIN)/python scripts/execute_notebooks.py tests/notebooks/*.ipynb

## The benchmarks (benchmarks/__main__.py): each figure a ratio measured side by side, written
## to benchmarks/results.json, which appendix A renders. One suite: make bench SUITES=layer
SUITES ?=
bench: install
	$(BIN)/python -m benchmarks $(if $(SUITES),--suites $(SUITES))

## The pinned sets, made by uv from the direct requirements: requirements.in (with
## requirements-lab.in) into constraints.txt, requirements-colab.in into constraints-colab.txt.
## Each file's header is the command that made it. uv is pinned here and installed into its own
## .venv-lock, so .venv and CI never need it. The sets are resolved for the build machine
## (CPython 3.11.7 on x86-64 Linux) from the registry as it was at LOCK_DATE, and uv keeps every
## version the existing file pins that still fits (its output file is its seed): after an edit
## of an .in file, `make lock` changes only what the edit needs, and in a clean clone it
## rewrites both files byte for byte. setuptools stays unpinned, as before: the venv's own meets
## TensorFlow's requirement, and a pin would make pip replace it. To move everything to newer releases: set LOCK_DATE to now, delete the
## constraints file, run `make lock`, then `make test`.
LOCK_VENV := .venv-lock
UV_VERSION := 0.13.8
LOCK_STAMP := $(LOCK_VENV)/.uv-$(UV_VERSION)
LOCK_DATE := 2026-12-06T00:00:00Z
LOCK := $(LOCK_VENV)/bin/uv pip compile --no-config --quiet --python-version 3.11.7 \
  --python-platform x86_64-manylinux_2_28 --exclude-newer $(LOCK_DATE) \
  --no-emit-package setuptools
$(LOCK_STAMP):
	$(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	touch $@

lock: $(LOCK_STAMP)
	$(LOCK) requirements.in -o constraints.txt
	$(LOCK) requirements-colab.in -o constraints-colab.txt

## Notebook changes a reviewer can read: nbdime's git drivers, for this clone (.git/config), on
## the files .gitattributes marks. `git diff` then shows the cells that changed (sources and
## outputs, an image as a one-line summary) instead of JSON, `git merge` merges cell by cell,
## and `git difftool --tool=nbdime` opens nbdiff-web. nbdime names its programs without a path;
## git is pointed at the ones in .venv, which need not be on PATH.
NBDIME_COMMANDS := diff.jupyternotebook.command merge.jupyternotebook.driver difftool.nbdime.cmd \
  mergetool.nbdime.cmd
diff-setup: install
	$(BIN)/nbdime config-git --enable
	@for key in $(NBDIME_COMMANDS); do \
	  git config "$$key" "$(abspath $(BIN))/$$(git config "$$key")"; done
	git config --get-regexp '^(diff|merge)\.jupyternotebook|^(diff|merge)tool\.nbdime'

clean:
	rm -rf _build
