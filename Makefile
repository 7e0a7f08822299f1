# The book's commands. `make book` builds the HTML book; `make test` runs every test.
# Both create and fill the project's own virtual environment (.venv) on first use.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.install-stamp
NOTEBOOKS := $(sort $(wildcard chapters/*.ipynb))

# TensorFlow's C++ side logs start-up banners and a harmless tf.data "error" line on every
# fit() (TF 2.20/2.21); a notebook would store them as output. Python exceptions still show.
export TF_CPP_MIN_LOG_LEVEL ?= 3
# Datasets: use the offline mirror beside the checkout when the caller has not chosen one.
SHARED_DATA := $(abspath ../shared/datasets)
ifeq ($(origin CNN_BOOK_DATA_DIR),undefined)
ifneq ($(wildcard $(SHARED_DATA)/mnist.npz),)
export CNN_BOOK_DATA_DIR := $(SHARED_DATA)
endif
endif

.PHONY: install book test unit nbval strict-build execute execute-probe clean

$(STAMP): requirements.txt constraints.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

install: $(STAMP)

## Build the HTML book from the notebooks' stored outputs (nothing is re-executed).
book: install
	$(BIN)/jupyter-book build . --keep-going
	@echo "The book is ready: $(abspath _build/html/index.html)"

## Every test: helper unit tests, nbval over every notebook in test mode, strict book build.
test: install
	@start=$$(date +%s); \
	$(MAKE) --no-print-directory unit nbval strict-build; \
	echo "make test: all passed in $$(( $$(date +%s) - start )) s"

unit: install
	$(BIN)/python -m pytest tests -p no:cacheprovider

nbval: install
	CNN_BOOK_TEST_MODE=1 $(BIN)/python -m pytest --nbval $(NOTEBOOKS) tests/notebooks \
	  --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg \
	  --nbval-cell-timeout=600 -p no:cacheprovider

strict-build: install
	$(BIN)/jupyter-book build . --all --warningiserror --nitpick --keep-going

## Re-execute every chapter in full mode in a fresh kernel and save it (refreshes stored outputs).
## One chapter: make execute NOTEBOOKS=chapters/01_first_cnn.ipynb
execute: install
	env -u CNN_BOOK_TEST_MODE $(BIN)/python scripts/execute_notebooks.py $(NOTEBOOKS)

## The probe notebook that proves nbval's kernel sees test mode is stored from a test-mode run.
execute-probe: install
	CNN_BOOK_TEST_MODE=1 $(BIN)/python scripts/execute_notebooks.py tests/notebooks/*.ipynb

clean:
	rm -rf _build
