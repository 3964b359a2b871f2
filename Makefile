# Discourse Lab: the two commands a new user types are `make figures` and `make test`.
# Each creates .venv from the hashed lock file first, and only when the lock changed.

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CORPUS ?=
PARAMS ?= params/default.yaml
ARGS ?=

CORPUS_ARG := $(if $(CORPUS),--corpus "$(CORPUS)",)
STRIP_HOOK := analysis.run.strip.pre_save_hook
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: figures test verify lab notebook-filter screenshots lint format lock clean-venv

figures: $(STAMP)
	$(BIN)/discourse-lab run --params "$(PARAMS)" $(CORPUS_ARG) $(ARGS)

test: $(STAMP)
	$(BIN)/ruff check analysis tests benchmarks
	$(BIN)/ruff format --check analysis tests benchmarks
	$(BIN)/python -m pytest $(ARGS)

verify: $(STAMP)
	$(BIN)/discourse-lab verify --params "$(PARAMS)" $(ARGS)

# JupyterLab on this computer only, its file browser at the project root (notebooks/,
# runs/, params/, figures/); the "Discourse Lab" kernel is the project's .venv. Saving
# notebooks/<name>.ipynb strips its outputs (analysis/run/strip.py); explore in a copy.
# (--allow-root only where make runs as root, e.g. in a container.)
lab: $(STAMP) notebook-filter
	mkdir -p notebooks/scratch
	$(BIN)/jupyter lab --ip=127.0.0.1 --no-browser --ServerApp.root_dir=. --ContentsManager.pre_save_hook=$(STRIP_HOOK) $(ROOT_FLAG) $(ARGS)

# The git clean filter named in .gitattributes: notebooks enter git without outputs,
# whatever JupyterLab autosaves (the files on disk keep them). Standard library only.
notebook-filter:
	git config filter.discourse-lab-notebook.clean "python3 analysis/run/strip.py"
	git config filter.discourse-lab-notebook.smudge cat

# The README's explorer screenshots, taken by the browser tests (headless Chromium).
screenshots: $(STAMP)
	DISCOURSE_LAB_SCREENSHOTS=docs/images $(BIN)/python -m pytest -q -p no:cacheprovider tests/browser/test_lab_ui.py

format: $(STAMP)
	$(BIN)/ruff check --fix analysis tests benchmarks
	$(BIN)/ruff format analysis tests benchmarks

# The environment: exact versions and hashes from requirements.lock, the package itself
# in editable mode, and the project's Jupyter kernel registered inside the venv.
$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name discourse-lab --display-name "Discourse Lab" >/dev/null
	touch $(STAMP)

# Maintainers only: re-resolve requirements.in into requirements.lock (needs network).
# rfc3987-syntax (and its lark) are left out: only jsonschema's optional IRI format check
# uses them, and compiling their grammars cost 1.4 s of CPU at every start of the CLI.
lock:
	$(PYTHON) -m pip install --quiet uv==0.13.8
	$(PYTHON) -m uv pip compile --python-version 3.11 --python-platform x86_64-manylinux_2_28 \
	  --generate-hashes --no-header --custom-compile-command "make lock" \
	  --no-emit-package rfc3987-syntax --no-emit-package lark \
	  requirements.in -o requirements.lock

clean-venv:
	rm -rf $(VENV)
