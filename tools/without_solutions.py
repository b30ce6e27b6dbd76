"""Build the website without the exercise solutions (`make book-without-solutions`).

    python tools/without_solutions.py [OUTPUT]     (default: _build/without-solutions)

For a course whose students must not find the solutions one click away: the book is
copied into OUTPUT/source, and in each chapter notebook
- every solution cell becomes the stub students get (its hint, then `raise
  NotImplementedError`), without output;
- the solution's dropdown markup (solution-start, solution-end) goes;
- the checks keep their code but lose their outputs, which can print the answer.
Everything else, outputs included, is what the public site shows. Jupyter Book then
builds OUTPUT/source into OUTPUT/html with the same strict settings as `make book`.
Publish that folder instead of _build/html.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

from book import ROOT
from exercises import SOLUTION_END, SOLUTION_START, find_exercises, tags
from student import stub_source

# What the website is built from; the rest of the repository stays out of the copy.
SOURCES = ["_config.yml", "_toc.yml", "chapters", "notebooks", "assets", "LICENSE"]


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
        if "solution" in tags(cell):
            cell.source = stub_source(cell, owner.get(index))
            cell.outputs, cell.execution_count = [], None
        elif "check" in tags(cell):
            cell.outputs = []
        kept.append(cell)
    nb.cells = kept
    return nb


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
