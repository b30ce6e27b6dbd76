"""The project's own notebook tests: what strict nbval cannot see."""

import os
import sys
import tempfile
import time

import pytest
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell
from notebook_checks import (
    ROOT,
    chapter_notebooks,
    content_problems,
    execution_problems,
    read_notebook,
    read_toc,
    toc_problems,
)
from refresh import CELL_TIMEOUT_S

NOTEBOOKS = chapter_notebooks()
IDS = [p.name for p in NOTEBOOKS]
SECONDS_PER_NOTEBOOK = 20  # the book's budget on a 2-core machine, kernel start not counted


def test_there_are_notebooks():
    assert NOTEBOOKS, "no notebooks found in notebooks/"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_executed_top_to_bottom_without_errors(path):
    nb, _ = read_notebook(path)
    problems = execution_problems(nb, path.name)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_portable_light_and_accessible(path):
    nb, text = read_notebook(path)
    problems = content_problems(nb, path.name, text)
    assert not problems, "\n".join(problems)


def test_toc_and_files_agree():
    problems = toc_problems(read_toc())
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_runs_alone_in_an_empty_folder(path):
    """What Colab sees: the notebook alone, nothing beside it, only the installed packages."""
    nb, _ = read_notebook(path)
    env_without_project = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    with tempfile.TemporaryDirectory() as empty_dir:
        client = NotebookClient(
            nb, timeout=CELL_TIMEOUT_S, kernel_name="python3", resources={"metadata": {"path": empty_dir}}
        )
        with client.setup_kernel(env=env_without_project, cwd=empty_dir):
            # The kernel must not see the repository: a sibling import would work here and fail in Colab.
            client.execute_cell(
                new_code_cell(f"import os, sys; assert {str(ROOT)!r} not in sys.path and os.getcwd() != {str(ROOT)!r}"),
                0,
            )
            start = time.perf_counter()
            for index, cell in enumerate(client.nb.cells):
                client.execute_cell(cell, index)
            seconds = time.perf_counter() - start
    assert seconds <= SECONDS_PER_NOTEBOOK, f"{path.name} took {seconds:.1f} s, over {SECONDS_PER_NOTEBOOK} s"
    print(f"{path.name}: {seconds:.1f} s", file=sys.stderr)

