"""Build the website without the exercise solutions (`make book-without-solutions`).

    python tools/without_solutions.py [OUTPUT]     (default: _build/without-solutions)

For a course whose students must find no solution in it: the book is copied into
OUTPUT/source, and in each chapter notebook
- every solution cell becomes the stub students get (its hint, then `raise
  NotImplementedError`), without output;
- the solution's dropdown markup (solution-start, solution-end) goes;
- the hidden tests go (the page never showed them, but its .ipynb source kept them);
- the checks keep their code but lose their outputs, which can print the answer;
- the notes for the tests (gamed answers, what a check refuses, points) go.
The copy's _config.yml drops the repository button (the repository holds the
solutions) and loads tools/sphinx-extensions/course_site.py, which points the launch
buttons at the student notebooks (in the repository course.yml's publish: names) and
makes each page's .ipynb download its student notebook; its _toc.yml drops the part
"For instructors". Everything else, outputs included, is what the public site shows.
Jupyter Book then builds OUTPUT/source into OUTPUT/html with the same strict settings
as `make book`. Publish that folder instead of _build/html; tests/test_course_site.py
reads every file of it for a line of a solution or a hidden test.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import yaml

from book import ROOT, colab_url, owner_and_name, repository
from course import load as load_course
from exercises import (
    PROBE_METADATA,
    SOLUTION_END,
    SOLUTION_START,
    find_exercises,
    tags,
)
from student import STUDENT_DIR, stub_source

# What the website is built from; the rest of the repository stays out of the copy.
SOURCES = ["_config.yml", "_toc.yml", "chapters", "notebooks", "assets", "LICENSE"]
# Notes for the tests and the grader, in a cell's metadata: none is for students.
GRADING_METADATA = (*PROBE_METADATA, "points", "nbgrader")
INSTRUCTOR_PART = "For instructors"


def without_solutions(nb):
    """The chapter as the course site shows it: stubs for solutions, checks silent."""
    exercises, _ = find_exercises(nb)
    owner = {i: e for e in exercises for i in e.solutions}
    kept = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown" and (
            SOLUTION_START.search(cell.source) or SOLUTION_END.search(cell.source)
        ):
            continue
        if "hidden-check" in tags(cell):
            continue
        for key in GRADING_METADATA:
            cell.metadata.pop(key, None)
        if "solution" in tags(cell):
            cell.source = stub_source(cell, owner.get(index))
            cell.outputs, cell.execution_count = [], None
        elif "check" in tags(cell):
            cell.outputs = []
        kept.append(cell)
    nb.cells = kept
    return nb


def notebooks_url() -> str:
    """Where Colab opens the student notebooks: course.yml's publish:, else the
    repository and branch of _config.yml, folder student/."""
    publish = load_course().get("publish") or {}
    owner, branch = repository()
    named = publish.get("notebooks_repository")
    if named:
        owner = owner_and_name(named)
    branch = publish.get("notebooks_branch") or branch
    folder = (publish.get("notebooks_folder") or "student").strip("/")
    return colab_url(f"{folder}/", (owner, branch))


def configure_for_students(source: Path) -> None:
    """The copy's _config.yml and _toc.yml: no repository button, buttons that give
    the student notebooks, no pages for instructors."""
    config_path = source / "_config.yml"
    config = yaml.safe_load(config_path.read_text())
    config["html"]["use_repository_button"] = False
    sphinx = config.setdefault("sphinx", {})
    sphinx["extra_extensions"] = [*sphinx.get("extra_extensions", []), "course_site"]
    sphinx.setdefault("config", {}).update(
        {
            "course_notebooks_url": notebooks_url(),
            "course_student_folder": str(STUDENT_DIR),
        }
    )
    config_path.write_text(yaml.safe_dump(config, sort_keys=False))
    toc_path = source / "_toc.yml"
    toc = yaml.safe_load(toc_path.read_text())
    toc["parts"] = [p for p in toc["parts"] if p.get("caption") != INSTRUCTOR_PART]
    toc_path.write_text(yaml.safe_dump(toc, sort_keys=False))


def build(output: Path) -> Path:
    """Copy the book without solutions to output/source, build it; the html folder."""
    source = output / "source"
    shutil.rmtree(output, ignore_errors=True)
    source.mkdir(parents=True)
    for name in SOURCES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, source / name)
        elif path.exists():
            shutil.copy(path, source / name)
    for chapter in sorted((source / "notebooks").glob("*.ipynb")):
        nbformat.write(without_solutions(nbformat.read(chapter, as_version=4)), chapter)
    configure_for_students(source)
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    subprocess.run(
        [str(jupyter_book), "build", str(source), "--path-output", str(output)]
        + ["--all", "-n", "-W", "--keep-going"],
        check=True,
    )
    shutil.move(output / "_build" / "html", output / "html")
    shutil.rmtree(output / "_build")
    return output / "html"


def main(argv: list[str]) -> int:
    output = Path(argv[0]) if argv else ROOT / "_build" / "without-solutions"
    html = build(output.resolve())
    print(f"the site without solutions is in {html}: publish that folder")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
