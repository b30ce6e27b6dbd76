"""Time every notebook as a reader runs it, and print a markdown table (nothing is
saved).

    python tools/timings.py notebooks/*.ipynb      (or: make timings)

Like `make refresh`, each notebook runs top to bottom in a fresh kernel in an empty
temporary folder; the seconds include starting the kernel, as they do for a student
pressing "Run all". The table goes into chapters/instructor-guide.md; the last line says
on how many cores it was measured.
"""

import os
import sys
from pathlib import Path

import nbformat
from nbclient.exceptions import CellExecutionError

# The same run as make refresh, without saving.
from book import execute_in_empty_folder


def seconds_to_run(path: Path) -> float:
    return execute_in_empty_folder(nbformat.read(path, as_version=4))


def title(path: Path) -> str:
    nb = nbformat.read(path, as_version=4)
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
        try:
            seconds = seconds_to_run(path)
        except CellExecutionError as error:
            print(f"FAILED {name}:\n{error}", file=sys.stderr)
            return 1
        total += seconds
        rows.append(f"| {path.stem[:2]} {title(path)} | {seconds:.1f} |")
        # progress; the table goes to stdout
        print(f"{seconds:5.1f} s  {name}", file=sys.stderr)
    print("| chapter | seconds |\n|---|---:|")
    print("\n".join(rows))
    print(f"| all {len(rows)} notebooks | {total:.1f} |")
    print(
        f"\nMeasured with `make timings` on {os.cpu_count()} CPU cores, kernel start "
        "included."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
