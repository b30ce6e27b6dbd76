"""What every tool of the book needs to know: where its parts are, where it is
published, and the one way to run a notebook as a reader would.

The tools (refresh, student, timings, bench) and the tests import this module; notebooks
never do.
"""

import os
import tempfile
import time
from pathlib import Path

import nbformat
import yaml
from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_DIR = ROOT / "notebooks"
# The website `make book` builds; BOOK_HTML may name another build to test or review.
SITE = Path(os.environ.get("BOOK_HTML", ROOT / "_build" / "html")).resolve()
# A Jupyter kernel that starts in a new empty folder, with the repository off its import
# path: what Colab gives a notebook. Its spec and launcher are in
# tools/standalone-kernel/; `make venv` installs them into .venv.
KERNEL_NAME = "standalone"
CELL_TIMEOUT_S = 120


def standalone_kernel() -> str:
    """The standalone kernel's name, once it is known to be installed."""
    try:
        KernelSpecManager().get_kernel_spec(KERNEL_NAME)
    except NoSuchKernel:
        raise RuntimeError(
            f"the Jupyter kernel {KERNEL_NAME!r} is not installed: run make venv"
        ) from None
    return KERNEL_NAME


def chapter_notebooks() -> list[Path]:
    return sorted(NOTEBOOK_DIR.glob("*.ipynb"))


def read_notebook(path: Path):
    text = path.read_text()
    return nbformat.reads(text, as_version=4), text


def read_toc(root: Path = ROOT) -> dict:
    return yaml.safe_load((root / "_toc.yml").read_text())


def toc_files(toc: dict) -> list[str]:
    """Every file named in a jb-book _toc.yml, in reading order (root first)."""
    files = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                files.append(entry["file"])
            walk(entry.get("sections"))
            walk(entry.get("chapters"))

    walk(toc.get("parts"))
    walk(toc.get("chapters"))
    return files


def owner_and_name(url: str) -> str:
    """owner/name of a GitHub repository's address."""
    return url.removeprefix("https://github.com/").strip("/")


def repository() -> tuple[str, str]:
    """(owner/name, branch) from _config.yml, the one place the repository is named."""
    repo = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]
    return owner_and_name(repo["url"]), repo["branch"]


def colab_url(relative_path: str, where: tuple[str, str] | None = None) -> str:
    """Where Colab opens a file of the repository (path from the repository root);
    where: (owner/name, branch) of another repository than _config.yml's."""
    owner, branch = where or repository()
    return f"https://colab.research.google.com/github/{owner}/blob/{branch}/{relative_path}"


def execute_in_empty_folder(
    nb, allow_errors: bool = False, env: dict | None = None
) -> float:
    """Run every cell of nb in a fresh standalone kernel; return the seconds, kernel
    start included.

    allow_errors: keep going after a cell fails, recording the error in its outputs.
    env: extra environment variables for the kernel.
    """
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as scratch:
        client = NotebookClient(
            nb,
            timeout=CELL_TIMEOUT_S,
            kernel_name=standalone_kernel(),
            allow_errors=allow_errors,
            resources={"metadata": {"path": scratch}},
            # Widget views need a kernel; the saved state would only make the static
            # page load widget scripts from a CDN and show controls that do nothing.
            store_widget_state=False,
            # Per-cell timestamps would change every saved notebook on every refresh.
            record_timing=False,
            # One output per stream in a cell, as nbval compares them: the kernel may
            # send one print in one piece on one run and in two on the next.
            coalesce_streams=True,
        )
        client.execute(env={**os.environ, **(env or {})})
    return time.perf_counter() - start
