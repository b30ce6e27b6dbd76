"""The standalone kernel (tools/standalone-kernel/) leaves nothing behind.

It runs each notebook in a new temporary folder. The folder must go when the kernel
ends, and also when the kernel is killed, which is how nbval stops every kernel of make
test: SIGKILL to the kernel's process group.
"""

import time

import pytest
from jupyter_client import KernelManager

from book import KERNEL_NAME


def kernel_folders(tmp_path):
    return sorted(tmp_path.glob("notebook-alone-*"))


def wait_until(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


@pytest.mark.parametrize("now", [True, False], ids=["killed", "shut-down"])
def test_the_kernel_removes_its_folder_however_it_ends(tmp_path, monkeypatch, now):
    monkeypatch.setenv("TMPDIR", str(tmp_path))  # where the kernel makes its folder
    manager = KernelManager(kernel_name=KERNEL_NAME)
    manager.start_kernel()
    try:
        client = manager.client()
        client.start_channels()
        client.wait_for_ready(timeout=60)
        client.stop_channels()
        folders = kernel_folders(tmp_path)
        assert len(folders) == 1, f"the running kernel's folder: {folders}"
    finally:
        manager.shutdown_kernel(now=now)  # now=True: SIGKILL, as nbval does
    assert wait_until(lambda: not kernel_folders(tmp_path), seconds=10), (
        f"the kernel left {kernel_folders(tmp_path)}"
    )
