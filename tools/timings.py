"""Time every notebook as a reader runs it, estimate its reading time, print a table.

    python tools/timings.py notebooks/*.ipynb      (or: make timings)

Like `make refresh`, each notebook runs top to bottom in a fresh kernel in an empty
temporary folder; the seconds include starting the kernel, as they do for a student
pressing "Run all". Nothing is saved. The table goes into chapters/instructor-guide.md,
whose session plan is sized with the reading minutes; the last line says on how many
cores the seconds were measured.

Reading minutes are an estimate, the same for every chapter so that chapters compare:
the words of the markdown cells at 120 a minute (technical prose with equations, read
closely), plus the lines of code shown on the page at 10 a minute (read and run).
Collapsed cells (hide-input), solutions, checks (a student runs a check and reads its
message, not its code) and hidden checks do not count.
"""

import math
import os
import re
import sys
from pathlib import Path

import nbformat
from nbclient.exceptions import CellExecutionError

# The same run as make refresh, without saving.
from book import execute_in_empty_folder

WORDS_PER_MINUTE = 120
CODE_LINES_PER_MINUTE = 10
NOT_READ = {
    *("hide-input", "remove-cell", "remove-input"),
    *("solution", "check", "hidden-check"),
}


def reading_minutes(nb) -> int:
    """Minutes to read a chapter closely and run its cells (module docstring)."""
    words = code_lines = 0
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            words += len(re.sub(r"<[^>]+>", " ", cell.source).split())
        elif cell.cell_type == "code" and not NOT_READ & set(
            cell.metadata.get("tags", [])
        ):
            code_lines += sum(1 for line in cell.source.splitlines() if line.strip())
    return math.ceil(words / WORDS_PER_MINUTE + code_lines / CODE_LINES_PER_MINUTE)


def title(nb, path: Path) -> str:
    heading = next(
        (
            c.source.strip().splitlines()[0]
            for c in nb.cells
            if c.cell_type == "markdown" and c.source.strip()
        ),
        "",
    )
    return heading.lstrip("#").strip() or path.stem


def main(paths: list[str]) -> int:
    if not paths:
        print("usage: python tools/timings.py NOTEBOOK.ipynb ...", file=sys.stderr)
        return 2
    rows, total = [], 0.0
    for name in sorted(paths):
        path = Path(name)
        nb = nbformat.read(path, as_version=4)
        minutes = reading_minutes(nb)
        try:
            seconds = execute_in_empty_folder(nb)
        except CellExecutionError as error:
            print(f"FAILED {name}:\n{error}", file=sys.stderr)
            return 1
        total += seconds
        rows.append(
            f"| {path.stem[:2]} {title(nb, path)} | {seconds:.1f} | {minutes} |"
        )
        # progress; the table goes to stdout
        print(f"{seconds:5.1f} s  {name}", file=sys.stderr)
    print("| chapter | seconds to run | minutes to read |\n|---|---:|---:|")
    print("\n".join(rows))
    print(f"| all {len(rows)} notebooks | {total:.1f} | |")
    print(
        f"\nMeasured with `make timings` on {os.cpu_count()} CPU cores, kernel start "
        "included."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
