"""Run one notebook inside the grading sandbox (tools/grade.py starts it there).

    python grade_runner.py NOTEBOOK CELL_TIMEOUT FD

Executes NOTEBOOK top to bottom in a fresh kernel, going on past errors, with a time
limit per cell, and writes the executed notebook as JSON to the file descriptor FD, a
pipe to the grader that the kernel (started with its file descriptors closed) does not
inherit. Nothing is written to disk outside the sandbox.
"""

import os
import sys

import nbformat
from nbclient import NotebookClient


def main(path: str, cell_timeout: str, fd: str) -> int:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=int(cell_timeout),
        kernel_name="python3",
        allow_errors=True,
        # After a cell over the limit is interrupted, a busy kernel can be slow to
        # answer: grading goes on with the next cell.
        raise_on_iopub_timeout=False,
        interrupt_on_timeout=True,
        record_timing=False,
        # A machine busy with other gradings can take long to start a kernel.
        startup_timeout=300,
        shutdown_kernel="immediate",
        resources={"metadata": {"path": os.getcwd()}},
        # ipykernel warns at every start that it talks over TCP on 127.0.0.1.
        extra_arguments=["--IPKernelApp.log_level=ERROR"],
    )
    try:
        client.execute()
    finally:
        with os.fdopen(int(fd), "w") as out:
            out.write(nbformat.writes(nb))
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
