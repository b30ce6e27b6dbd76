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
# Options for tools/bench.py, e.g. make bench ARGS="--threads 2" (make bench ARGS=--help lists them)
ARGS    ?=
# What the website is built from: a change to any of these, or to the pinned packages, builds it
# again. A folder counts too: its time changes when a file in it is added, removed or renamed.
BOOK_SOURCES := _config.yml _toc.yml $(shell find chapters notebooks assets) $(wildcard tools/sphinx-extensions/*.py)
# Touched once a strict build has succeeded (a build by hand leaves it alone), so that make test
# reuses a site that make book built from the same sources.
SITE_BUILT   := _build/html/.built-strictly
COURSE_BUILT := _build/without-solutions/html/.built-strictly

# The notebook kernel and every tool must come from the project's venv.
export PATH := $(BIN):$(PATH)
export MPLBACKEND := module://matplotlib_inline.backend_inline
# Chapter 17 fetches its data by URL (tools/capstone.py): here, this checkout's assets/.
export BIRNN_BOOK_ASSETS ?= file://$(CURDIR)/assets/

.DEFAULT_GOAL := help
.PHONY: help venv refresh book book-without-solutions test lint clean student course timings bench bench-grading grade train screenshots quiz-bank slides

help: ## List the targets, one line each
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  make %-23s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): requirements.txt
	python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(KERNEL): $(STAMP) tools/standalone-kernel/kernel.json tools/standalone-kernel/launch.py
	$(BIN)/jupyter kernelspec install --sys-prefix --name standalone tools/standalone-kernel >/dev/null

venv: $(STAMP) $(KERNEL) ## Create .venv from requirements.txt (other targets do this for you)

refresh: $(KERNEL) ## Re-execute notebooks top to bottom in a fresh kernel and save their outputs
	$(BIN)/python tools/refresh.py $(NB)

book: $(SITE_BUILT) ## Build the website into _build/html (from the committed outputs; warnings are errors)

$(SITE_BUILT): $(STAMP) $(BOOK_SOURCES)
	rm -rf _build/html _build/.doctrees  # no page of a renamed or removed chapter may survive
	$(BIN)/jupyter-book build . --all -n -W --keep-going
	touch $@

book-without-solutions: $(COURSE_BUILT) ## The website without exercise solutions, for a course: _build/without-solutions/html

# tools/without_solutions.py builds a copy of the book's sources, which has no tools/ for
# _config.yml's Sphinx extension (tools/sphinx-extensions/): PYTHONPATH names it instead.
$(COURSE_BUILT): $(STAMP) $(BOOK_SOURCES) course.yml $(wildcard student/*.ipynb) tools/without_solutions.py tools/student.py tools/exercises.py tools/book.py tools/course.py
	PYTHONPATH=$(CURDIR)/tools/sphinx-extensions $(BIN)/python tools/without_solutions.py
	touch $@

lint: $(STAMP) ## Check the Python of notebooks, tests and tools with ruff (ruff.toml)
	$(BIN)/ruff check notebooks tests tools

test: $(KERNEL) lint ## Lint, strict book builds (with and without solutions), strict nbval, all tests
	$(MAKE) --no-print-directory -j2 -O book book-without-solutions  # built only if out of date
	$(BIN)/python -m pytest -n $(JOBS)

student: $(STAMP) ## Write student/: every chapter with its solutions replaced by stubs (commit it)
	$(BIN)/python tools/student.py

course: $(STAMP) ## Write the plan, assignment, rubric and catalogue tables from course.yml (commit them)
	$(BIN)/python tools/course.py

grade: $(STAMP) ## Grade SUBMISSIONS=DIR (DIR/<student>/*.ipynb) as course.yml says: gradebook and feedback
	@test -n "$(SUBMISSIONS)" || { echo "usage: make grade SUBMISSIONS=DIR [ASSIGNMENT=a1] [SEED=N] [JOBS=2] [CELL_TIMEOUT=60] [SANDBOX=no]"; exit 2; }
	$(BIN)/python tools/grade.py $(SUBMISSIONS) --jobs $(JOBS) $(if $(SEED),--seed $(SEED)) \
		$(if $(ASSIGNMENT),--assignment $(ASSIGNMENT)) \
		$(if $(CELL_TIMEOUT),--cell-timeout $(CELL_TIMEOUT)) $(if $(filter no,$(SANDBOX)),--no-sandbox)

quiz-bank: $(STAMP) ## Every quiz question with its key and feedback, for Moodle (XML) and Canvas (QTI): _build/quiz-bank
	$(BIN)/python tools/quizzes.py export _build/quiz-bank

slides: $(STAMP) ## One reveal.js deck per session of course.yml, from the cells tagged for slides: _build/slides
	$(BIN)/python tools/slides.py _build/slides

timings: $(KERNEL) ## Time each notebook in a fresh kernel in an empty folder (nothing saved)
	$(BIN)/python tools/timings.py $(NB)

bench: $(STAMP) ## Time chapter 14's layers against nn.RNN, forward and backward (ARGS=--help)
	$(BIN)/python tools/bench.py $(ARGS)

bench-grading: $(STAMP) ## Time make grade on a class of 40 students x 4 chapters, 1 worker and one per core
	$(BIN)/python tools/grading_bench.py $(ARGS)

train: $(STAMP) ## Train chapter 17's models into assets/models/ (about 9 min on an idle 2-core machine)
	$(BIN)/python tools/capstone.py train

screenshots: $(STAMP) ## After make book: every page at 390, 1024 and 1366 px, light and dark, into _build/screenshots
	$(BIN)/python tools/screenshots.py

clean: ## Remove the built site (keeps .venv)
	rm -rf _build
