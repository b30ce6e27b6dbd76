"""Generate the student notebooks: every chapter with its solutions replaced by stubs.

    python tools/student.py        (or: make student)

For each notebooks/NN-name.ipynb this writes student/NN-name.ipynb, in which
- a first cell gives the licence and a credit line (title and authors from
  _config.yml; LICENSE says what falls under which licence);
- a header cell says that this is the student version, where the full chapter is, and
  how to check your work;
- every code cell tagged `solution` becomes a stub: its `# Hint: ...` first line, then a
  `raise NotImplementedError(...)` that names the exercise;
- the exercise markup (a sphinx-exercise directive, which Colab and Jupyter show as raw
  text) becomes plain markdown;
- all outputs and execution counts are cleared.

The work is done by nbconvert preprocessors (StudentPreprocessor, then
ClearOutputPreprocessor) run by a NotebookExporter, so the result is a pure function of
the chapter: the tests regenerate it in memory and compare it with the committed file
(tests/test_student.py). The student folder is generated only; edit the chapter and run
`make student`.
"""

import re
import sys
from pathlib import Path

import nbformat
import yaml
from nbconvert.exporters import NotebookExporter
from nbconvert.preprocessors import ClearOutputPreprocessor, Preprocessor
from nbgrader.utils import compute_checksum

from book import ROOT, chapter_notebooks
from exercises import (
    EXERCISE,
    HINT,
    PROBE_METADATA,
    SOLUTION_END,
    SOLUTION_START,
    Exercise,
    exercise_problems,
    find_exercises,
    first_line,
    grading_cells,
    tags,
)

STUDENT_DIR = ROOT / "student"
HEADER_CELL_ID = "student-version"  # fixed, so that regenerating gives the same bytes
LICENCE_CELL_ID = "licence"
CC_BY = "https://creativecommons.org/licenses/by/4.0/"
MIT = "https://opensource.org/license/mit"
HIDDEN_PLACEHOLDER = (
    "# The hidden tests of this exercise run here when it is graded."
)


# --- The preprocessor -----------------------------------------------------------------


def stub_source(cell, exercise: Exercise | None) -> str:
    hint = (
        first_line(cell)
        if first_line(cell).startswith(HINT)
        else f"{HINT} (no hint given)"
    )
    name = (
        f"exercise {exercise.label} ({exercise.title})" if exercise else "this exercise"
    )
    message = f"{name}: replace this line with your solution"
    return f"{hint}\nraise NotImplementedError({message!r})"


def plain_exercise(block: re.Match) -> str:
    title = block["title"].strip() or "Exercise"
    return f"### Exercise: {title}\n\n{block['body'].strip()}"


class StudentPreprocessor(Preprocessor):
    """Replace solutions with stubs that keep the hint, and the exercise markup with
    plain markdown.

    It needs the whole notebook to know which exercise a solution cell belongs to, so it
    overrides preprocess rather than preprocess_cell.
    """

    enabled = True

    def preprocess(self, nb, resources):
        exercises, _ = find_exercises(nb)
        owner = {i: e for e in exercises for i in e.solutions}
        grading = grading_cells(nb)
        for index, cell in enumerate(nb.cells):
            # Gamed answers and what the probes expect are for the tests
            # (tests/student_probes.py), not students.
            for key in PROBE_METADATA:
                cell.metadata.pop(key, None)
            if cell.cell_type == "code" and "solution" in tags(cell):
                cell.source = stub_source(cell, owner.get(index))
            elif cell.cell_type == "code" and "hidden-check" in tags(cell):
                cell.source = HIDDEN_PLACEHOLDER
            elif cell.cell_type == "markdown":
                cell.source = EXERCISE.sub(plain_exercise, cell.source)
                if SOLUTION_START.search(cell.source):
                    cell.source = (
                        "**Your solution.** In the next cell, keep the hint and "
                        "replace the "
                        "`raise NotImplementedError(...)` line with your code, then "
                        "run it."
                    )
                elif SOLUTION_END.search(cell.source):
                    cell.source = (
                        "**Check your work.** Run the next cell: it prints a "
                        "confirmation when your "
                        "solution is right and stops with an error when it is not."
                    )
        for index, metadata in grading.items():
            cell = nb.cells[index]
            cell.metadata.pop("points", None)
            cell.metadata["nbgrader"] = dict(metadata)
            # As nbgrader's own release does: the grader sees whether a cell changed.
            cell.metadata["nbgrader"]["checksum"] = compute_checksum(cell)
        nb.cells.insert(0, header_cell(nb, resources["metadata"]["name"]))
        nb.cells.insert(0, licence_cell(nb))
        # The Python version of the machine that last refreshed the chapter is no
        # concern of students.
        nb.metadata["language_info"] = {"name": "python"}
        return nb, resources


def licence_cell(nb):
    """The licence and a credit line. It names no address of the repository: the
    course site hands this notebook out and must not lead to the solutions."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    cell = nbformat.v4.new_markdown_cell(
        f"*{config['title']}*, by {config['author']}. Text and figures: "
        f"[CC BY 4.0]({CC_BY}); code: [MIT License]({MIT}). You may copy, adapt "
        "and share this notebook; if you do, credit the book and its authors, link "
        "the licences and say what you changed."
    )
    if nb.nbformat_minor >= 5:
        cell.id = LICENCE_CELL_ID
    else:
        del cell["id"]
    return cell


def header_cell(nb, name: str):
    title = next(
        (
            first_line(c).lstrip("# ").strip()
            for c in nb.cells
            if c.cell_type == "markdown"
        ),
        name,
    )
    cell = nbformat.v4.new_markdown_cell(
        f"> **Student version** of chapter {int(name[:2])}, *{title}*. The exercises "
        "at the end have no solutions here: each solution cell keeps its hint and "
        "stops with `NotImplementedError` until you write your own code.\n"
        ">\n"
        "> **How to check your work:** run the notebook from the top (Colab: *Runtime "
        "→ Run all*; it stops at the first exercise). After each exercise, run your "
        "solution cell, then the *check* cell right after it: the check runs your code "
        "on new inputs, prints a confirmation when it is right, and stops with a hint "
        "when it is not. Then run the cells that follow. A cell marked *hidden tests* "
        "stays empty here; your teacher's grader runs more tests there.\n"
        ">\n"
        "> *This file is generated from the chapter by `make student`; do not edit it "
        "by hand.*"
    )
    if nb.nbformat_minor >= 5:
        cell.id = HEADER_CELL_ID
    else:
        del cell["id"]
    return cell


# --- Generating -----------------------------------------------------------------------


def exporter() -> NotebookExporter:
    export = NotebookExporter()
    export.register_preprocessor(StudentPreprocessor(), enabled=True)
    # Also drop nbclient's per-cell timestamps, so that refreshing a chapter leaves its
    # student notebook unchanged unless a source changed.
    clear = ClearOutputPreprocessor(
        remove_metadata_fields={"collapsed", "scrolled", "execution"}
    )
    export.register_preprocessor(clear, enabled=True)
    return export


def student_text(chapter: Path, export: NotebookExporter | None = None) -> str:
    """The student notebook of a chapter, as the exact text `make student` writes."""
    nb = nbformat.read(chapter, as_version=4)
    text, _ = (export or exporter()).from_notebook_node(
        nb, resources={"metadata": {"name": chapter.stem}}
    )
    return text


def student_path(chapter: Path) -> Path:
    return STUDENT_DIR / chapter.name


def chapters() -> list[Path]:
    return chapter_notebooks()

def main() -> int:
    STUDENT_DIR.mkdir(exist_ok=True)
    export = exporter()
    failed = 0
    for chapter in chapters():
        problems = exercise_problems(nbformat.read(chapter, as_version=4), chapter.name)
        if problems:
            # A broken exercise would give students a stub without a hint or leak a
            # solution.
            print(
                f"NOT WRITTEN {student_path(chapter).relative_to(ROOT)}:\n  "
                + "\n  ".join(problems),
                file=sys.stderr,
            )
            failed += 1
            continue
        text = student_text(chapter, export)
        target = student_path(chapter)
        if target.exists() and target.read_text() == text:
            print(f"unchanged {target.relative_to(ROOT)}")
        else:
            target.write_text(text)
            print(f"wrote     {target.relative_to(ROOT)}")
    for orphan in sorted(
        set(STUDENT_DIR.glob("*.ipynb")) - {student_path(c) for c in chapters()}
    ):
        orphan.unlink()
        print(f"removed   {orphan.relative_to(ROOT)} (its chapter is gone)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
