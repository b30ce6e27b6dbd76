"""Time every notebook as a reader runs it, and print a markdown table (nothing is saved).

    python tests/timings.py notebooks/*.ipynb      (or: make timings)

Like `make refresh`, each notebook runs top to bottom in a fresh kernel in an empty temporary
folder; the seconds include starting the kernel, as they do for a student pressing "Run all". The
table goes into chapters/instructor-guide.md; the last line says on how many cores it was measured.
"""

import os
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

CELL_TIMEOUT_S = 120


def seconds_to_run(path: Path) -> float:
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as empty_dir:
        NotebookClient(
            nb,
            timeout=CELL_TIMEOUT_S,
            kernel_name="python3",
            resources={"metadata": {"path": empty_dir}},
            store_widget_state=False,
        ).execute()
    return time.perf_counter() - start


def title(path: Path) -> str:
    nb = nbformat.read(path, as_version=4)
    heading = next((c.source.strip().splitlines()[0] for c in nb.cells if c.cell_type == "markdown" and c.source.strip()), "")
    return heading.lstrip("#").strip() or path.stem


def main(paths: list[str]) -> int:
    if not paths:
        print("usage: python tests/timings.py NOTEBOOK.ipynb ...", file=sys.stderr)
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
        print(f"{seconds:5.1f} s  {name}", file=sys.stderr)  # progress; the table goes to stdout
    print("| chapter | seconds |\n|---|---:|")
    print("\n".join(rows))
    print(f"| all {len(rows)} notebooks | {total:.1f} |")
    print(f"\nMeasured with `make timings` on {os.cpu_count()} CPU cores, kernel start included.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
