"""Grade a folder of submitted student notebooks into a gradebook CSV (`make grade`).

    python tools/grade.py SUBMISSIONS [--out FILE] [--cell-timeout SECONDS]

SUBMISSIONS holds one folder per student, named by the student's id, with the student's
notebooks in it under their names in student/ (alice/01-one-rnn-step.ipynb, ...). The
gradebook (default SUBMISSIONS/gradebook.csv) has one row per student and one column per
exercise of the submitted chapters: the points earned, then the total and the maximum.

The grader is nbgrader, used as a library in a temporary course folder:
1. The gradebook database learns each submitted chapter from the chapter itself: its
   solution cells, its checks and its hidden checks, with the grading metadata that
   tools/student.py also writes into the student notebooks (grading_cells).
2. Each submission goes in as nbgrader expects it. Where an editor dropped a cell's
   grading metadata, it comes back from the student notebook, matched by cell id.
3. nbgrader runs every submission in a fresh kernel. Checks and hidden checks are put
   back from the chapter, so editing or deleting them changes nothing. A test earns its
   points when it runs without error; a cell that runs longer than the time limit is
   interrupted and grading goes on with the next cell, so a loop or an error costs only
   the exercises it breaks.
"""

import argparse
import csv
import os
import sys
import tempfile
import warnings
from pathlib import Path

import nbformat
from nbconvert.exporters import NotebookExporter
from nbconvert.preprocessors import Preprocessor
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.apps import NbGraderAPI
from nbgrader.preprocessors import (
    CheckCellMetadata,
    ClearHiddenTests,
    ClearOutput,
    ClearSolutions,
    ComputeChecksums,
    LockCells,
    SaveCells,
)
from sqlalchemy.exc import SAWarning
from traitlets.config import Config

from book import NOTEBOOK_DIR
from exercises import find_exercises, grading_cells
from student import STUDENT_DIR

CELL_TIMEOUT_S = 60
COURSE_ID = "birnn-step-by-step"


class GraderSource(Preprocessor):
    """A chapter as nbgrader's source notebook: what the gradebook must know of it.

    Each solution cell keeps its hint line; the rest sits between nbgrader's solution
    markers. Each hidden check sits between the hidden-test markers, so students never
    get it and autograding puts it back.
    """

    def preprocess(self, nb, resources):
        for index, metadata in grading_cells(nb).items():
            cell = nb.cells[index]
            cell.metadata["nbgrader"] = dict(metadata)
            if metadata["solution"]:
                hint, _, body = cell.source.partition("\n")
                cell.source = f"{hint}\n### BEGIN SOLUTION\n{body}\n### END SOLUTION"
            elif metadata["grade_id"].endswith("-hidden-check"):
                cell.source = (
                    f"### BEGIN HIDDEN TESTS\n{cell.source}\n### END HIDDEN TESTS"
                )
        return nb, resources


def add_to_gradebook(chapter: Path, db_url: str) -> None:
    """Fill the gradebook with one chapter, as `nbgrader generate_assignment` would."""
    name = chapter.stem
    with Gradebook(db_url) as gradebook:
        gradebook.update_or_create_assignment(name)
    exporter = NotebookExporter(
        preprocessors=[
            GraderSource(),
            LockCells(),
            ClearSolutions(),
            ClearOutput(),
            CheckCellMetadata(),
            ComputeChecksums(),
            SaveCells(),
            ClearHiddenTests(),
            ComputeChecksums(),
            CheckCellMetadata(),
        ]
    )
    resources = {"nbgrader": {"db_url": db_url, "assignment": name, "notebook": name}}
    exporter.from_notebook_node(
        nbformat.read(chapter, as_version=4), resources=resources
    )


def restore_metadata(submission, release) -> int:
    """Give back the grading metadata an editor dropped, by cell id; how many cells."""
    by_id = {
        c.get("id"): c.metadata["nbgrader"]
        for c in release.cells
        if "nbgrader" in c.metadata
    }
    restored = 0
    for cell in submission.cells:
        if "nbgrader" not in cell.metadata and cell.get("id") in by_id:
            cell.metadata["nbgrader"] = dict(by_id[cell.get("id")])
            restored += 1
    return restored


def exercise_columns(chapters: list[Path]) -> list[tuple[str, str]]:
    """(chapter, exercise label) for every exercise of the chapters, in book order."""
    return [
        (chapter.stem, exercise.label)
        for chapter in chapters
        for exercise in find_exercises(nbformat.read(chapter, as_version=4))[0]
    ]


def exercise_of(grade_id: str) -> str:
    """ex-01-relu-check and ex-01-relu-hidden-check both belong to ex-01-relu."""
    for kind in ("-hidden-check", "-check"):
        if grade_id.endswith(kind):
            return grade_id.removesuffix(kind)
    raise ValueError(f"not a test of an exercise: {grade_id}")


def write_gradebook(db_url, students, columns, maximum, out: Path) -> None:
    """One row per student, a column per exercise (points earned), total, maximum."""
    with Gradebook(db_url) as gradebook, out.open("w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(
            ["student", *(label for _, label in columns), "total", "maximum"]
        )
        for student in students:
            earned = {}
            for chapter in {chapter for chapter, _ in columns}:
                try:
                    submission = gradebook.find_submission(chapter, student)
                except MissingEntry:
                    continue  # this student did not hand in this chapter
                for notebook in submission.notebooks:
                    for grade in notebook.grades:
                        label = exercise_of(grade.name)
                        earned[label] = earned.get(label, 0) + (grade.score or 0)
            row = [earned.get(label, "") for _, label in columns]
            total = sum(v for v in row if v != "")
            writer.writerow(
                [
                    student,
                    *(f"{v:g}" if v != "" else "" for v in row),
                    f"{total:g}",
                    f"{maximum:g}",
                ]
            )


def grade(
    submissions: Path, out: Path, cell_timeout: int = CELL_TIMEOUT_S
) -> list[str]:
    """Grade every notebook in submissions/<student>/; returns what to tell the user."""
    # nbgrader creates its database with the alembic command of this environment.
    os.environ["PATH"] = os.pathsep.join(
        [str(Path(sys.executable).parent), os.environ.get("PATH", "")]
    )
    messages = []
    handed_in = {}  # chapter name -> [(student, path)]
    for path in sorted(submissions.glob("*/*.ipynb")):
        if not (STUDENT_DIR / path.name).exists():
            messages.append(f"skipped {path}: no chapter of that name in student/")
            continue
        handed_in.setdefault(path.stem, []).append((path.parent.name, path))
    if not handed_in:
        raise SystemExit(
            f"no submissions found: expected {submissions}/<student>/NN-name.ipynb"
        )
    chapters = [NOTEBOOK_DIR / f"{name}.ipynb" for name in sorted(handed_in)]
    students = sorted({student for pairs in handed_in.values() for student, _ in pairs})

    with tempfile.TemporaryDirectory(prefix="grading-") as root:
        db_url = f"sqlite:///{root}/gradebook.db"
        for chapter in chapters:
            add_to_gradebook(chapter, db_url)
            release = nbformat.read(STUDENT_DIR / chapter.name, as_version=4)
            for student, path in handed_in[chapter.stem]:
                submission = nbformat.read(path, as_version=4)
                restored = restore_metadata(submission, release)
                if restored:
                    messages.append(
                        f"{path}: grading metadata of {restored} cell(s) restored"
                    )
                target = Path(root, "submitted", student, chapter.stem, chapter.name)
                target.parent.mkdir(parents=True)
                nbformat.write(submission, target)

        config = Config()
        config.CourseDirectory.root = root
        config.CourseDirectory.course_id = COURSE_ID
        config.CourseDirectory.db_url = db_url
        config.Execute.timeout = cell_timeout
        # After interrupting a cell over the limit, a busy kernel can be slow to answer;
        # grading goes on with the next cell instead of failing the whole notebook.
        config.Execute.raise_on_iopub_timeout = False
        # The outputs are collected when the last cell ends: no graceful wait (0.8 s).
        config.Execute.shutdown_kernel = "immediate"
        # ipykernel warns at every start that a kernel on 127.0.0.1 talks over TCP:
        # one line per submission that tells an instructor nothing. Errors still show.
        config.Execute.extra_arguments = ["--IPKernelApp.log_level=ERROR"]
        config.OverwriteCells.add_missing_cells = True  # a deleted check is put back
        api = NbGraderAPI(config=config)
        for chapter in chapters:
            for student, path in handed_in[chapter.stem]:
                result = api.autograde(chapter.stem, student)
                if not result["success"]:
                    why = result.get("error") or result.get("log", "")
                    messages.append(f"{path}: not graded: {why[-500:]}")

        maximum = sum(
            metadata["points"]
            for chapter in chapters
            for metadata in grading_cells(nbformat.read(chapter, as_version=4)).values()
            if metadata["grade"]
        )
        write_gradebook(db_url, students, exercise_columns(chapters), maximum, out)
    messages.append(
        f"wrote {out}: {len(students)} student(s), {len(chapters)} chapter(s)"
    )
    return messages


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "submissions", type=Path, help="folder of <student>/<chapter>.ipynb"
    )
    parser.add_argument(
        "--out", type=Path, help="gradebook CSV (default: SUBMISSIONS/gradebook.csv)"
    )
    parser.add_argument(
        "--cell-timeout", type=int, default=CELL_TIMEOUT_S, help="seconds per cell"
    )
    args = parser.parse_args(argv)
    # nbgrader 0.9.6 triggers SQLAlchemy autoflush warnings inside its own gradebook
    # code (pytest.ini ignores them too); they say nothing about the submissions.
    warnings.filterwarnings("ignore", "Object of type <Submitted", SAWarning)
    if not args.submissions.is_dir():
        parser.error(f"{args.submissions} is not a folder")
    for message in grade(
        args.submissions,
        args.out or args.submissions / "gradebook.csv",
        args.cell_timeout,
    ):
        print(message)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
