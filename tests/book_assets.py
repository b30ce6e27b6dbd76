"""A pytest plugin: chapter 17 reads this checkout's assets/, never the network.

The chapter fetches its text and its trained models from the URL that the variable
BIRNN_BOOK_ASSETS names, and from GitHub when it is unset (tools/capstone.py). The
kernels that nbval starts inherit this process's environment, so setting the variable
here, before any kernel starts, points them at the repository's own copy, as the
Makefile does for make refresh and make test. A value already set is kept.
"""

import os

from capstone import ASSETS_VARIABLE, local_assets_url


def pytest_configure(config):
    os.environ.setdefault(ASSETS_VARIABLE, local_assets_url())
