"""The exercise markup of a chapter, read: which cells are an exercise's solution,
its check and its hidden check, the rules that markup must follow, and what a grader
reads of it.

tools/student.py (the student notebooks), tools/grade.py and tools/without_solutions.py
build on it; it knows nothing of where chapters live.
"""

import ast
import re
from dataclasses import dataclass, field

from IPython.core.inputtransformer2 import TransformerManager

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
# What a check cell's metadata tells the tests (tests/student_probes.py): lazy answers
# it must refuse ("gamed") and why it refuses changed inputs. Never for students.
PROBE_METADATA = ("gamed", "refuses_changed_inputs")
HINT = "# Hint:"


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


# --- What a student writes, and what a check may read ---------------------------------


def python_of(source: str) -> ast.Module:
    """A cell's code as Python (IPython magics become calls)."""
    return ast.parse(TransformerManager().transform_cell(source))


def top_level_definitions(source: str) -> list[str]:
    """Functions and classes a cell defines at its top level, in order."""
    return [
        node.name
        for node in python_of(source).body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
    ]


def answer_functions(nb, exercise: Exercise) -> list[str]:
    """The functions the exercise's solution cells define: what a student writes, and
    what grading records and replays (tools/answers.py)."""
    return [
        name
        for index in exercise.solutions
        for name in top_level_definitions(nb.cells[index].source)
    ]


def test_cells(exercise: Exercise) -> list[int]:
    """The cells that grade an exercise: its check, then its hidden test."""
    return [i for i in (exercise.check, exercise.hidden) if i is not None]


def setup_imports(nb) -> list[ast.stmt]:
    """The imports of a chapter's set-up cell (its first code cell): all a check may use
    besides itself and the answer functions."""
    first = next(c for c in nb.cells if c.cell_type == "code")
    return [
        node
        for node in python_of(first.source).body
        if isinstance(node, ast.Import | ast.ImportFrom)
    ]
