"""Generate the student notebooks: every chapter with its solutions replaced by stubs.

    python tools/student.py        (or: make student)

For each notebooks/NN-name.ipynb this writes student/NN-name.ipynb, in which
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
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbconvert.exporters import NotebookExporter
from nbconvert.preprocessors import ClearOutputPreprocessor, Preprocessor
from nbgrader.utils import compute_checksum

from book import ROOT, chapter_notebooks

STUDENT_DIR = ROOT / "student"
HEADER_CELL_ID = "student-version"  # fixed, so that regenerating gives the same bytes

# ```{exercise} Title  /  :label: ex-01-name  /  body  /  ```
# (fenced with 3 or more backticks or colons)
EXERCISE = re.compile(
    r"^(?P<fence>`{3,}|:{3,})\{exercise\}[ \t]*(?P<title>[^\n]*)\n"
    r"(?P<options>(?:[ \t]*:[\w-]+:[^\n]*\n)*)"
    r"(?P<body>.*?)^(?P=fence)[ \t]*$",
    re.MULTILINE | re.DOTALL,
)
LABEL_OPTION = re.compile(r"^[ \t]*:label:[ \t]*(\S+)", re.MULTILINE)
SOLUTION_START = re.compile(
    r"^(`{3,}|:{3,})\{solution-start\}[ \t]*(\S*)", re.MULTILINE
)
SOLUTION_END = re.compile(r"^(`{3,}|:{3,})\{solution-end\}", re.MULTILINE)
HINT = "# Hint:"
HIDDEN_PLACEHOLDER = "# The hidden tests of this exercise run here when it is graded."


# --- Reading the exercise markup of a chapter -----------------------------------------


@dataclass
class Exercise:
    label: str
    title: str
    cell: int  # index of the markdown cell holding the {exercise} block
    start: int | None = None  # index of the {solution-start} cell
    end: int | None = None  # index of the {solution-end} cell
    # The code cells tagged `solution` in between:
    solutions: list[int] = field(default_factory=list)
    check: int | None = None  # the code cell tagged `check` right after {solution-end}
    # The code cell tagged `hidden-check` right after the check: tests that graders run
    # and students do not see (the student notebook keeps a placeholder).
    hidden: int | None = None


def tags(cell) -> list[str]:
    return cell.get("metadata", {}).get("tags", [])


def first_line(cell) -> str:
    return cell.source.lstrip("\n").split("\n", 1)[0]


def find_exercises(nb) -> tuple[list[Exercise], list[str]]:
    """The exercises of a chapter, in order, and every problem with their markup."""
    exercises: dict[str, Exercise] = {}
    problems: list[str] = []
    open_exercise: Exercise | None = None  # between its solution-start and solution-end
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            for block in EXERCISE.finditer(cell.source):
                label = LABEL_OPTION.search(block["options"])
                if not label:
                    problems.append(
                        f"cell {index}: an {{exercise}} block without a :label:"
                    )
                elif label[1] in exercises:
                    problems.append(
                        f"cell {index}: exercise label {label[1]!r} used twice"
                    )
                else:
                    exercises[label[1]] = Exercise(
                        label[1], block["title"].strip(), index
                    )
            start = SOLUTION_START.search(cell.source)
            if start:
                label = start[2]
                if open_exercise is not None:
                    problems.append(
                        f"cell {index}: solution-start {label!r} before solution-end "
                        f"of {open_exercise.label!r}"
                    )
                if label not in exercises:
                    problems.append(
                        f"cell {index}: solution-start {label!r} for no {{exercise}} "
                        "above it"
                    )
                    open_exercise = Exercise(label, "", index)  # keep parsing the pair
                else:
                    open_exercise = exercises[label]
                    if open_exercise.start is not None:
                        problems.append(
                            f"cell {index}: a second solution-start for {label!r}"
                        )
                    if ":class: dropdown" not in cell.source:
                        problems.append(
                            f"cell {index}: solution-start {label!r} without ':class: "
                            "dropdown' (it would not be collapsed)"
                        )
                open_exercise.start = index
            if SOLUTION_END.search(cell.source):
                if open_exercise is None:
                    problems.append(
                        f"cell {index}: solution-end without a solution-start"
                    )
                    continue
                open_exercise.end = index
                following = nb.cells[index + 1] if index + 1 < len(nb.cells) else None
                if (
                    following is not None
                    and following.cell_type == "code"
                    and "check" in tags(following)
                ):
                    open_exercise.check = index + 1
                    after = nb.cells[index + 2] if index + 2 < len(nb.cells) else None
                    if after is not None and "hidden-check" in tags(after):
                        open_exercise.hidden = index + 2
                open_exercise = None
        elif "solution" in tags(cell):
            if open_exercise is None:
                problems.append(
                    f"cell {index}: a code cell tagged solution outside "
                    "solution-start/solution-end"
                )
            else:
                open_exercise.solutions.append(index)
        elif open_exercise is not None:
            problems.append(
                f"cell {index}: a code cell between solution-start and solution-end of "
                f"{open_exercise.label!r} "
                "is not tagged solution (students would get it)"
            )
    if open_exercise is not None:
        problems.append(
            f"solution-start {open_exercise.label!r} is never closed by a solution-end"
        )
    return list(exercises.values()), problems


def exercise_problems(nb, nb_name: str) -> list[str]:
    """The markup every chapter's exercises must have (README: "Writing or changing a
    chapter").
    """
    exercises, problems = find_exercises(nb)
    problems = [f"{nb_name}, {p}" for p in problems]
    number = nb_name[:2]
    if len(exercises) < 2:
        problems.append(
            f"{nb_name}: {len(exercises)} exercise(s); every chapter has at least 2"
        )
    for exercise in exercises:
        where = f"{nb_name}, exercise {exercise.label!r}"
        if not exercise.label.startswith(f"ex-{number}-"):
            problems.append(
                f"{where}: labels are ex-{number}-short-name in this chapter"
            )
        if exercise.start is None or exercise.end is None:
            problems.append(f"{where}: no solution-start/solution-end pair")
            continue
        if not exercise.solutions:
            problems.append(
                f"{where}: no code cell tagged solution between solution-start and "
                "solution-end"
            )
        for index in exercise.solutions:
            if not first_line(nb.cells[index]).startswith(HINT):
                problems.append(
                    f"{where}, cell {index}: a solution cell must start with '{HINT} "
                    "...'"
                )
        if exercise.check is None:
            problems.append(
                f"{where}: the cell right after solution-end is not a code cell tagged "
                "check"
            )
        elif "hide-output" not in tags(nb.cells[exercise.check]):
            # What a check prints can give the answer away on the website.
            problems.append(
                f"{where}, cell {exercise.check}: a check cell is also tagged "
                "hide-output"
            )
        for index in (exercise.check, exercise.hidden):
            if index is not None and "assert_close" in nb.cells[index].source:
                # Its failure message prints the expected values: the answer.
                problems.append(
                    f"{where}, cell {index}: a check may not call assert_close, whose "
                    "message prints the expected values; use torch.allclose with a hint"
                )
        if exercise.hidden is not None and "remove-cell" not in tags(
            nb.cells[exercise.hidden]
        ):
            problems.append(
                f"{where}, cell {exercise.hidden}: a hidden-check cell is also tagged "
                "remove-cell (readers of the site need not see it)"
            )
    hidden = {e.hidden for e in exercises}
    for index, cell in enumerate(nb.cells):
        if "hidden-check" in tags(cell) and index not in hidden:
            problems.append(
                f"{nb_name}, cell {index}: a hidden-check cell must come right after "
                "an exercise's check cell"
            )
    return problems


def grading_problems(nb, nb_name: str) -> list[str]:
    """What grading needs of every exercise: hidden tests, and a gamed answer to refuse.

    A gamed answer ({how: source} in the check cell's metadata "gamed") is a lazy way to
    pass: copy a variable of the page, call PyTorch's own layer, test which object was
    passed. tests/student_probes.py proves that the check refuses each one.
    """
    problems = []
    for exercise in find_exercises(nb)[0]:
        where = f"{nb_name}, exercise {exercise.label!r}"
        if exercise.check is None:
            continue  # exercise_problems says so
        if exercise.hidden is None:
            problems.append(f"{where}: no hidden-check cell right after its check")
        if not nb.cells[exercise.check].metadata.get("gamed"):
            problems.append(f"{where}: its check cell records no gamed answer")
    return problems


# --- What the grader (nbgrader) reads -------------------------------------------------

# Points of an exercise unless its cells say otherwise (metadata "points").
POINTS = {"check": 1, "hidden-check": 2}


def grading_cells(nb) -> dict[int, dict]:
    """cell index -> nbgrader metadata, for every cell of every exercise.

    Solution cells are where students write (graded through the checks after them); the
    check and the hidden check are tests worth points, locked against editing. The same
    metadata goes into the student notebooks and into the gradebook of `make grade`, so
    the two always agree.
    """
    cells = {}
    for exercise in find_exercises(nb)[0]:
        for number, index in enumerate(exercise.solutions, start=1):
            cells[index] = {
                "grade": False,
                "solution": True,
                "locked": False,
                "task": False,
                "grade_id": f"{exercise.label}-solution-{number}",
                "schema_version": 3,
            }
        for kind, index in (
            ("check", exercise.check),
            ("hidden-check", exercise.hidden),
        ):
            if index is None:
                continue
            points = nb.cells[index].metadata.get("points", POINTS[kind])
            cells[index] = {
                "grade": True,
                "solution": False,
                "locked": True,
                "task": False,
                "points": points,
                "grade_id": f"{exercise.label}-{kind}",
                "schema_version": 3,
            }
    return cells


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
            # Gamed answers are for the tests (tests/student_probes.py), not students.
            cell.metadata.pop("gamed", None)
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
        # The Python version of the machine that last refreshed the chapter is no
        # concern of students.
        nb.metadata["language_info"] = {"name": "python"}
        return nb, resources


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


def staleness_problems(chapter_paths: list[Path], student_dir: Path) -> list[str]:
    """Every chapter has its student notebook, byte for byte what `make student` writes
    now.
    """
    problems = []
    export = exporter()
    for chapter in chapter_paths:
        target = student_dir / chapter.name
        if not target.exists():
            problems.append(
                f"student/{chapter.name} is missing: run make student (and commit it)"
            )
        elif target.read_text() != student_text(chapter, export):
            problems.append(
                f"student/{chapter.name} is stale: it differs from what make student "
                "writes from "
                f"notebooks/{chapter.name} (the chapter changed, or the file was "
                "edited by hand): run make student"
            )
    names = {chapter.name for chapter in chapter_paths}
    for orphan in sorted(student_dir.glob("*.ipynb")):
        if orphan.name not in names:
            problems.append(
                f"student/{orphan.name} has no chapter notebooks/{orphan.name}: run "
                "make student (it removes it)"
            )
    return problems


def label_problems(notebooks: dict[str, object]) -> list[str]:
    """Exercise labels are unique across the book ({name: notebook})."""
    first_seen: dict[str, str] = {}
    problems = []
    for name, nb in notebooks.items():
        for exercise in find_exercises(nb)[0]:
            if exercise.label in first_seen:
                problems.append(
                    f"exercise label {exercise.label!r} in {name} is already used in "
                    f"{first_seen[exercise.label]}"
                )
            first_seen.setdefault(exercise.label, name)
    return problems


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
