"""The project's own notebook tests: what strict nbval cannot see.

Strict nbval itself runs every chapter alone in an empty folder (pytest.ini), within
the time budget per notebook (tests/notebook_budget.py); tests/test_guards.py shows
that both guarantees can fail.
"""

import pytest

from book import chapter_notebooks, read_notebook, read_toc
from exercises import find_exercises
from notebook_checks import (
    content_problems,
    execution_problems,
    quiz_problems,
    toc_problems,
)

NOTEBOOKS = chapter_notebooks()
IDS = [p.name for p in NOTEBOOKS]


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
def test_every_chapter_has_a_quiz(path):
    nb, _ = read_notebook(path)
    problems = quiz_problems(nb, path.name)
    assert not problems, "\n".join(problems)


def test_at_most_two_predict_the_shapes_exercises():
    """Shape predictions are quick to write and teach little more the third time."""
    titles = [
        f"{path.name}: {e.title}"
        for path in NOTEBOOKS
        for e in find_exercises(read_notebook(path)[0])[0]
        if e.title.lower().startswith("predict") and "shape" in e.title.lower()
    ]
    assert len(titles) <= 2, f"{len(titles)} shape exercises: {titles}"
