# The one entry point. `make help` lists the targets.
# Every target that runs Python first builds .venv from requirements.txt (once, and again when
# requirements.txt changes), so nothing depends on what was installed by hand.

VENV    := .venv
BIN     := $(abspath $(VENV))/bin
STAMP   := $(VENV)/.installed-from-requirements
# The Jupyter kernel every notebook runs in (refresh, timings, nbval, the student tests): alone in an
# empty folder, as in Colab. Its source is tools/standalone-kernel/.
KERNEL  := $(VENV)/share/jupyter/kernels/standalone/kernel.json
JOBS    ?= 2
# Notebooks to re-execute with `make refresh`; override to refresh one: make refresh NB=notebooks/03-*.ipynb
NB      ?= notebooks/*.ipynb

# The notebook kernel and every tool must come from the project's venv.
export PATH := $(BIN):$(PATH)
export MPLBACKEND := module://matplotlib_inline.backend_inline

.DEFAULT_GOAL := help
.PHONY: help venv refresh book test lint clean student timings bench screenshots

help: ## List the targets, one line each
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  make %-9s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): requirements.txt
	python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(KERNEL): $(STAMP) tools/standalone-kernel/kernel.json tools/standalone-kernel/launch.py
	$(BIN)/jupyter kernelspec install --sys-prefix --name standalone tools/standalone-kernel >/dev/null

venv: $(STAMP) $(KERNEL) ## Create .venv from requirements.txt (other targets do this for you)

refresh: $(KERNEL) ## Re-execute notebooks top to bottom in a fresh kernel and save their outputs
	$(BIN)/python tools/refresh.py $(NB)

book: $(STAMP) ## Build the website into _build/html (from the committed outputs; warnings are errors)
	rm -rf _build/html _build/.doctrees  # no page of a renamed or removed chapter may survive
	$(BIN)/jupyter-book build . --all -n -W --keep-going

lint: $(STAMP) ## Check Python code style in notebooks and tests with ruff
	$(BIN)/ruff check notebooks tests tools

test: $(KERNEL) lint book ## Lint, strict book build, strict nbval, the project's own tests and the browser tests
	$(BIN)/python -m pytest -n $(JOBS)

student: $(STAMP) ## Write student/: every chapter with its solutions replaced by stubs (commit it)
	$(BIN)/python tools/student.py

timings: $(KERNEL) ## Time each notebook in a fresh kernel in an empty folder (nothing saved)
	$(BIN)/python tools/timings.py $(NB)

bench: $(STAMP) ## Time the four bidirectional-layer versions of chapter 14 against nn.RNN on CPU
	$(BIN)/python tools/bench.py

screenshots: $(STAMP) ## After make book: every page at 390, 1024 and 1366 px, light and dark, into _build/screenshots
	$(BIN)/python tools/screenshots.py

clean: ## Remove the built site (keeps .venv)
	rm -rf _build
