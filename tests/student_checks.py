"""Checks on the exercises and the student notebooks that only the tests make.

Each returns a list of problems, empty when all is well (tests/test_student.py).
"""

from pathlib import Path

from exercises import find_exercises
from student import exporter, student_text


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
