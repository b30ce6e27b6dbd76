"""Start an IPython kernel the way Colab runs a notebook: alone, in an empty folder.

`make venv` installs the kernel spec beside this file into .venv as the kernel
"standalone"; `make refresh`, `make timings`, the student tests and strict nbval
(pytest.ini) all run notebooks with it. Jupyter starts a kernel in the notebook's
own folder, where a notebook could read a sibling file or import a sibling module that
Colab does not have. This kernel moves to a new empty temporary folder and keeps on its
import path only the interpreter's own folders: the standard library and the installed
packages.

The folder goes when the kernel ends, however it ends. nbval stops a kernel with SIGKILL
to its process group, which no atexit handler survives; so a small cleaner process, in a
session of its own, waits for the end of a pipe that only the kernel (and what it forks)
holds open, then removes the folder.
"""

import os
import site
import subprocess
import sys
import tempfile

OWN_FOLDERS = [
    os.path.abspath(p)
    for p in {sys.prefix, sys.base_prefix, sys.exec_prefix, site.getuserbase()}
]
# Reads its stdin (the pipe) until every writer has gone, then removes the folder.
CLEANER = "import shutil, sys; sys.stdin.buffer.read(); shutil.rmtree(sys.argv[1], 1)"


def is_own(path: str) -> bool:
    path = os.path.abspath(path)
    return any(path == own or path.startswith(own + os.sep) for own in OWN_FOLDERS)


def remove_when_this_process_ends(folder: str) -> None:
    # Both ends close on exec: no program the kernel starts holds one. The write end
    # stays open, unused, until this process (or a fork of it) ends.
    read_end, _write_end = os.pipe()
    subprocess.Popen(
        [sys.executable, "-I", "-S", "-c", CLEANER, folder],
        stdin=read_end,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # out of the process group that a kill reaches
    )
    os.close(read_end)


os.environ.pop("PYTHONPATH", None)
launcher_folder = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [
    p for p in sys.path if p and is_own(p) and os.path.abspath(p) != launcher_folder
]
empty = tempfile.mkdtemp(prefix="notebook-alone-")
remove_when_this_process_ends(empty)
os.chdir(empty)

from ipykernel import kernelapp  # imported once the path is clean

# ipykernel warns at every start that a kernel on 127.0.0.1 talks over TCP: a line per
# notebook in make refresh and make timings that says nothing about the book. The
# kernel's errors still show; what a cell writes to stderr is the cell's output.
kernelapp.launch_new_instance(argv=[*sys.argv[1:], "--IPKernelApp.log_level=ERROR"])
