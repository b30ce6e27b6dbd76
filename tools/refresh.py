"""Re-execute notebooks top to bottom in a fresh kernel and save them with their
outputs.

This is the only way outputs get into the repository (`make refresh`). Each notebook
runs in the standalone kernel (tools/standalone-kernel/): alone in an empty
temporary folder, as it would in Colab, so a notebook that needs a local file fails
here.

    python tools/refresh.py notebooks/*.ipynb
"""

import sys
from pathlib import Path

import nbformat
from nbclient.exceptions import CellExecutionError

from book import execute_in_empty_folder


def refresh(path: Path) -> float:
    nb = nbformat.read(path, as_version=4)
    seconds = execute_in_empty_folder(nb)
    nbformat.write(nb, path)
    return seconds


def main(paths: list[str]) -> int:
    if not paths:
        print("usage: python tools/refresh.py NOTEBOOK.ipynb ...", file=sys.stderr)
        return 2
    for name in paths:
        try:
            seconds = refresh(Path(name))
        except CellExecutionError as error:
            print(
                f"FAILED {name}: not saved, the stored outputs are unchanged.\n{error}",
                file=sys.stderr,
            )
            return 1
        print(f"{seconds:5.1f} s  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
