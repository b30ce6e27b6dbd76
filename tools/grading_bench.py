"""Time `make grade` at class size (`make bench-grading`).

    python tools/grading_bench.py [--students 40] [--chapters 01,02,03,04] [--jobs N]

Writes a class of honest students (each chapter's student notebook with the chapter's
solutions put in), grades it with one worker and then with N (default: one per core),
each in the sandbox as `make grade` does, checks that every student scored full marks,
and prints the seconds per notebook and the speed-up.
"""

import argparse
import copy
import csv
import os
import sys
import tempfile
import time
from pathlib import Path

import nbformat

import grade
from book import NOTEBOOK_DIR
from exercises import find_exercises, tags
from student import STUDENT_DIR


def write_class(folder: Path, students: int, chapters: list[Path]) -> None:
    for chapter in chapters:
        full = nbformat.read(chapter, as_version=4)
        solutions = {c.id: c.source for c in full.cells if "solution" in tags(c)}
        release = nbformat.read(STUDENT_DIR / chapter.name, as_version=4)
        for cell in release.cells:
            if cell.get("id") in solutions:
                cell.source = solutions[cell.id]
        for number in range(students):
            target = folder / f"student-{number:03d}" / chapter.name
            target.parent.mkdir(exist_ok=True)
            nbformat.write(copy.deepcopy(release), target)


def bench_course(chapters: list[Path]) -> dict:
    """One assignment of every exercise of the chapters, whatever course.yml holds."""
    exercises = {
        e.label: 3
        for chapter in chapters
        for e in find_exercises(nbformat.read(chapter, as_version=4))[0]
    }
    chapter_stems = [c.stem for c in chapters]
    return {
        "assignments": [
            {"name": "bench", "chapters": chapter_stems, "exercises": exercises}
        ]
    }


def timed_grading(folder: Path, jobs: int, course: dict) -> tuple[float, dict]:
    out = folder / f"gradebook-{jobs}.csv"
    start = time.perf_counter()
    for message in grade.grade(folder, out, seed=1, jobs=jobs, course=course):
        if not message.startswith("wrote"):
            print(message)
    seconds = time.perf_counter() - start
    with out.open() as file:
        rows = list(csv.DictReader(file))
    failed = out.with_suffix(".log").read_text()
    if failed:
        print(f"failed tests with {jobs} worker(s):\n{failed}")
    out.unlink()
    return seconds, rows


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--chapters", default="01,02,03,04", help="chapter numbers")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args(argv)
    numbers = args.chapters.split(",")
    chapters = [
        p for p in sorted(NOTEBOOK_DIR.glob("*.ipynb")) if p.name[:2] in numbers
    ]
    notebooks = args.students * len(chapters)
    print(
        f"{args.students} students x {len(chapters)} chapters = {notebooks} notebooks, "
        f"on {os.cpu_count()} cores"
    )
    with tempfile.TemporaryDirectory(prefix="grading-bench-") as folder:
        write_class(Path(folder), args.students, chapters)
        timings, fell_short, course = {}, False, bench_course(chapters)
        for jobs in sorted({1, args.jobs}):
            seconds, rows = timed_grading(Path(folder), jobs, course)
            short = [r["student"] for r in rows if r["total"] != r["maximum"]]
            if short:
                print(f"not full marks with {jobs} worker(s): {short[:5]}")
                fell_short = True
            timings[jobs] = seconds
            print(
                f"{jobs} worker(s): {seconds:.0f} s, "
                f"{seconds / notebooks:.2f} s per notebook"
            )
    if len(timings) == 2:
        speed_up = timings[1] / timings[args.jobs]
        print(f"speed-up with {args.jobs} workers: {speed_up:.2f}x")
    return 1 if fell_short else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
