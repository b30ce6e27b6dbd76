"""`make grade` (tools/grade.py) scores what students did, on submissions made here.

From chapter 1's student notebook the test makes four students' submissions: full
solutions (saved by an editor that dropped the grading metadata), the untouched student
notebook, full solutions but one gamed answer, and full solutions but one cell that
loops forever. It grades them with nbgrader, as `make grade` does, with a short time
limit per cell, and reads the gradebook.
"""

import copy
import csv

import nbformat
import pytest

from book import NOTEBOOK_DIR
from exercises import find_exercises, tags
from grade import grade
from student import STUDENT_DIR

CHAPTER = "01-one-rnn-step.ipynb"


def submissions(folder):
    chapter = nbformat.read(NOTEBOOK_DIR / CHAPTER, as_version=4)
    release = nbformat.read(STUDENT_DIR / CHAPTER, as_version=4)
    solution = {c.id: c.source for c in chapter.cells if "solution" in tags(c)}
    exercises = find_exercises(chapter)[0]
    first = exercises[0]
    first_solution = chapter.cells[first.solutions[0]].id
    gamed = next(iter(chapter.cells[first.check].metadata["gamed"].values()))

    def solved(**replaced):
        nb = copy.deepcopy(release)
        for cell in nb.cells:
            if cell.get("id") in solution:
                cell.source = replaced.get(cell.id, solution[cell.id])
        return nb

    handed_in = {
        "alice": solved(),
        "bob": copy.deepcopy(release),
        "carol": solved(**{first_solution: gamed}),
        # A loop that never ends; it sleeps, so the other test worker keeps the CPU.
        "dave": solved(
            **{first_solution: "import time\nwhile True:\n    time.sleep(0.1)"}
        ),
    }
    for cell in handed_in["alice"].cells:
        cell.metadata.pop("nbgrader", None)  # what some editors do on saving
    for student, nb in handed_in.items():
        (folder / student).mkdir()
        nbformat.write(nb, folder / student / CHAPTER)
    return [e.label for e in exercises]


@pytest.mark.executes
def test_grading_scores_what_each_student_did(tmp_path):
    labels = submissions(tmp_path)
    assert len(labels) == 2, "this test expects chapter 1's two exercises"
    # The loop costs the time limit; the limit leaves room for `import torch` in a busy
    # kernel (about 2 s on 2 cores while the other test worker runs).
    messages = grade(tmp_path, tmp_path / "gradebook.csv", cell_timeout=6)
    with (tmp_path / "gradebook.csv").open() as file:
        rows = {row["student"]: row for row in csv.DictReader(file)}
    first, second = labels
    full = "3"  # a check (1 point) and its hidden check (2 points)
    assert {s: (r[first], r[second], r["total"]) for s, r in rows.items()} == {
        "alice": (full, full, "6"),  # everything, metadata restored
        "bob": ("0", "0", "0"),  # the untouched stubs raise
        "carol": ("0", full, "3"),  # loses exactly the gamed exercise
        "dave": ("0", full, "3"),  # the loop is cut, grading goes on
    }, messages
    assert {r["maximum"] for r in rows.values()} == {"6"}
    assert any("alice" in m and "metadata of 6 cell(s) restored" in m for m in messages)
